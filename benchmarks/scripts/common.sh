# Shared by the benchmark scripts (sourced, not run): the nginx "workers" every proxy is put in
# front of, Switchboard's configs and JVM options, the warm-up, the measurements and the
# statistics of the result tables.

# Switchboard's JVM options when SWITCHBOARD_JAVA_OPTS is not set: the README's and the
# Dockerfile's (the serial collector with a small young generation; the C library's free memory
# handed back every second).
readme_java_opts="-XX:+UseSerialGC -Xmn16m -XX:TrimNativeHeapInterval=1000"

# A scratch directory for a long-poll run, removed on exit after every process in pids has
# stopped, with copies of the jar and LongPollLoad.java, so that a rebuild or an edit during the
# run cannot change what runs. Sets work and pids.
longpoll_workdir() {
  work=$(mktemp -d)
  pids=()
  trap 'stop_now "${pids[@]}"; rm -rf "$work"' EXIT
  cp proxy-core/target/switchboard.jar "$work/switchboard.jar"
  cp benchmarks/scripts/LongPollLoad.java "$work/LongPollLoad.java"
}

# The workers: one nginx answering 200 on six ports (main, 2 synchrotrons, 2 generic, media).
# Usage: start_workers DIR; its pid is appended to the caller's pids array.
start_workers() {
  local dir=$1/workers
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $dir/nginx.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000; client_body_buffer_size 64k;
  server { listen 127.0.0.1:19000; listen 127.0.0.1:19001; listen 127.0.0.1:19002; listen 127.0.0.1:19003;
           listen 127.0.0.1:19004; listen 127.0.0.1:19005;
           location / { return 200 '{"ok":true}'; } } }
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" & workers_pid=$!; pids+=($workers_pid)
}

# Switchboard's config for the same routing: the built-in Synapse table over those workers.
# Usage: switchboard_config FILE THREADS
switchboard_config() {
  cat > "$1" <<CONF
listeners: [{name: client, address: "127.0.0.1:18503"}]
admin: {address: "127.0.0.1:18504"}
accessLog: {enabled: false}
runtime: {eventLoopThreads: $2}
drain: {delay: 0s, timeout: 1s}
upstreams:
  main: {endpoints: ["127.0.0.1:19000"]}
  synchrotron: {endpoints: ["127.0.0.1:19001", "127.0.0.1:19002"]}
  generic: {endpoints: ["127.0.0.1:19003", "127.0.0.1:19004"]}
  media: {endpoints: ["127.0.0.1:19005"]}
CONF
}

# Switchboard's config for the long-poll benchmarks: /sync goes to the synchrotron role (ring hash
# on the token's user; main is required), both roles to the one upstream that holds every request,
# timeouts longer than any hold, and the connection limits a user has by default (20,000 per
# listener, none per client).
# Usage: longpoll_switchboard_config FILE PORT UPSTREAM_PORT THREADS
longpoll_switchboard_config() {
  cat > "$1" <<CONF
listeners: [{name: client, address: "127.0.0.1:$2"}]
admin: {address: "127.0.0.1:$(($2 + 1))"}
accessLog: {enabled: false}
runtime: {eventLoopThreads: $4}
drain: {delay: 0s, timeout: 1s}
timeouts: {upstreamResponse: 180s, downstreamIdle: 180s}
upstreams:
  main: {endpoints: ["127.0.0.1:$3"]}
  synchrotron: {endpoints: ["127.0.0.1:$3"]}
CONF
}

# The same routing for HAProxy and NGINX as the built-in table gives Switchboard: /sync hashed on
# Authorization to two synchrotrons, least connections for generic and media, main for admin and
# federation, keep-alive upstream. Printed into each script's config, after its own listener lines.
haproxy_routing() {
  cat <<'CONF'
  acl sync path_reg ^/_matrix/client/(r0|v3)/sync$
  acl media path_beg /_matrix/media/ /_matrix/client/v1/media/
  acl main_only path_beg /_synapse/admin/ /_matrix/federation/ /_matrix/key/
  use_backend sync if sync
  use_backend media if media
  use_backend main if main_only
  use_backend generic if { path_beg /_matrix/client/ }
  default_backend main
backend sync
  balance hdr(Authorization)
  hash-type consistent
  server s1 127.0.0.1:19001
  server s2 127.0.0.1:19002
backend generic
  balance leastconn
  server g1 127.0.0.1:19003
  server g2 127.0.0.1:19004
backend media
  balance leastconn
  server m1 127.0.0.1:19005
backend main
  server main 127.0.0.1:19000
CONF
}

nginx_upstreams() {
  cat <<'CONF'
  upstream sync { hash $http_authorization consistent; server 127.0.0.1:19001; server 127.0.0.1:19002; keepalive 128; }
  upstream generic { least_conn; server 127.0.0.1:19003; server 127.0.0.1:19004; keepalive 128; }
  upstream media { least_conn; server 127.0.0.1:19005; keepalive 128; }
  upstream main { server 127.0.0.1:19000; keepalive 128; }
CONF
}

nginx_locations() {
  cat <<'CONF'
    location ~ ^/_matrix/client/(r0|v3)/sync$ { proxy_pass http://sync; }
    location /_matrix/media/ { proxy_pass http://media; }
    location /_matrix/client/v1/media/ { proxy_pass http://media; }
    location /_synapse/admin/ { proxy_pass http://main; }
    location /_matrix/federation/ { proxy_pass http://main; }
    location /_matrix/client/ { proxy_pass http://generic; }
    location / { proxy_pass http://main; }
CONF
}

# Stops processes and waits until they are gone (children or not). SIGTERM: a hard stop for
# HAProxy, a fast shutdown for NGINX, and Switchboard's drain, which the configs here make
# immediate (drain: {delay: 0s}). Not SIGINT: a background process of a script ignores it.
# Usage: stop_now PID...
stop_now() {
  local p
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    wait "$p" 2>/dev/null || true
  done
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wrk prints 512.00us, 1.23ms or 1.02s: all to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'; }

# CPU ticks (user+system) of a process and its children processes (nginx workers).
cpu_ticks() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# Nanoseconds the threads of a process and its children processes spent ready to run but waiting
# for a CPU (the second field of each thread's /proc schedstat): on a machine where the load
# generator, the upstream and the proxy share the cores, this is where a proxy's latency tail
# comes from when its own work is quick.
run_queue_wait_ns() {
  local p t
  for p in $1 $(pgrep -P "$1" || true); do
    for t in /proc/"$p"/task/*; do cat "$t/schedstat" 2>/dev/null || true; done
  done | awk '{w += $2} END {printf "%.0f\n", w}'
}

# The machine's CPU ticks in all and those stolen by the hypervisor ("steal" in /proc/stat): on a
# shared virtual machine another guest can take a third of the cores for seconds at a time, and a
# run measured then is a measurement of the host, not of the proxy.
machine_ticks() {
  # user nice system idle iowait irq softirq steal; guest time is counted in user and nice already
  awk '$1 == "cpu" {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9}' /proc/stat
}

# Per cent of the machine's CPU time the hypervisor stole between two machine_ticks readings.
steal_percent() { # "total steal" "total steal"
  awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
    printf "%.0f", (t > 0 ? 100 * (y[2] - x[2]) / t : 0)}'
}

# Microseconds of CPU per request from a tick difference and a request count.
cpu_us_per_request() { # ticks requests
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}'
}

# The JIT warm-up before measuring (uses $connections): ten 1 s wrk runs rather than one of 10 s, so
# that connections open and close throughout, as they do in service. After one long run the JVM
# has compiled its completion path before any connection opened again, and the measured run's new
# connections deoptimize it: Switchboard's p99 was 4.52 ms after one 10 s run and 3.27 ms after
# ten 1 s runs (tuning.sh 4 10 1; benchmarks/RESULTS.md, seventh session). HAProxy and NGINX
# compile nothing.
wrk_warmup() { # url [script]
  local args=(-t1 -c"$connections" -d1s) i
  [ -z "${2:-}" ] || args+=(-s "$2")
  for i in $(seq 10); do
    wrk "${args[@]}" "$1" > /dev/null
  done
}

# One wrk run against url with a Lua script; prints "name rps p50 p99 cpu-us/req wait-us/req
# p99.9-ms max-ms steal-%" (cpu and run-queue wait "-" when pid is "-": nothing to charge; p99.9
# and max "-" unless the script prints its TAIL line, as matrix-mix.lua does; steal: the share of
# the machine the hypervisor took during the run), and wrk's error lines on stderr.
# STEAL_LIMIT (whole per cent, default 10): a run during which the hypervisor took more is measured
# again at once, up to STEAL_RETRIES (default 3) more times; the last is kept, its steal column
# showing what it was measured under. Every proxy of a run gets the same rule.
wrk_measure() { # name url pid script
  local line steal tries=0
  while :; do
    line=$(wrk_measure_once "$@") || return 1
    steal=$(awk '{print $9}' <<<"$line") # the line's ninth field (steal_percent)
    if [ "$steal" -le "${STEAL_LIMIT:-10}" ] || [ "$tries" -ge "${STEAL_RETRIES:-3}" ]; then break; fi
    tries=$((tries + 1))
    echo "$1: the hypervisor took $steal% of the machine during the run; measured again" >&2
  done
  echo "$line"
}

wrk_measure_once() { # name url pid script
  local name=$1 url=$2 pid=$3 script=$4 before after waited out requests cpu=- wait=- errors machine load shell
  [ "$pid" = - ] || { before=$(cpu_ticks "$pid"); waited=$(run_queue_wait_ns "$pid"); }
  machine=$(machine_ticks)
  shell=$BASHPID # this shell's, not that of the command substitutions below
  load=$(load_ticks "$shell")
  sched_sample_start "$pid"
  out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$script" "$url")
  load=$(( $(load_ticks "$shell") - load ))
  machine=$(steal_percent "$machine" "$(machine_ticks)")
  sched_sample_report "$name" "$pid"
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # Inside a command substitution errexit is off: a failed run must say so itself.
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || { echo "$name: wrk made no requests against $url" >&2; return 1; }
  if [ "$pid" != - ]; then
    after=$(cpu_ticks "$pid")
    cpu=$(cpu_us_per_request $((after - before)) "$requests")
    wait=$(awk -v w="$(( $(run_queue_wait_ns "$pid") - waited ))" -v n="$requests" 'BEGIN {printf "%.1f", w / 1000 / n}')
  fi
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  [ -z "$errors" ] || echo "$name: $errors" >&2
  echo "$name $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out") $cpu $wait $(awk '$1=="TAIL" {print $2, $3; f=1} END {if (!f) print "- -"}' <<<"$out")" \
    "$machine $([ -n "${workers_pid:-}" ] && cpu_us_per_request "$load" "$requests" || echo -)"
}

# CPU ticks of the load itself: the upstream nginx (start_workers) and the wrk runs the given shell
# has waited for (its children's times in /proc). Pass the caller's $BASHPID read outside any
# command substitution, which is a subshell of its own. Their sum per request is what every
# proxy's run also has to fit on the same cores (print_goal_ratios).
load_ticks() { # shell-pid
  echo $(( ${workers_pid:+$(cpu_ticks "$workers_pid")} + $(awk '{print $16 + $17}' "/proc/$1/stat") ))
}

# SCHED_SAMPLE=1 (needs perf, root): where the scheduler ran each process during a run. perf sched
# records the middle two seconds of every measured proxy run, and a line on stderr gives each
# CPU's share spent running the proxy, wrk, the upstream nginx and the rest, its idle share, and
# the proxy's wake-up delay (ms per second: woken, waiting for a CPU). On two cores shared by
# three busy processes a run's requests/s follows this placement (RESULTS.md, twenty-first session).
sched_sample_start() { # pid(or -)
  sched_file=""
  [ "${SCHED_SAMPLE:-0}" = 1 ] && [ "$1" != - ] || return 0
  sched_file=$(mktemp)
  (sleep $((seconds > 4 ? seconds / 2 - 1 : 0)); perf sched record -a -o "$sched_file" -- sleep 2) >/dev/null 2>&1 &
  sched_job=$!
}

sched_sample_report() { # name pid
  [ -n "$sched_file" ] || return 0
  wait "$sched_job" || true
  perf sched timehist -i "$sched_file" 2>/dev/null | awk -v name="$1" \
      -v proxy=" $2 $(pgrep -P "$2" | tr '\n' ' ')" -v upstream=" $(pgrep -P "$workers_pid" | tr '\n' ' ')" '
    # "time [cpu] task[tid/pid] wait delay run"; a task name may hold spaces, the last four fields do not.
    $2 ~ /^\[[0-9]+\]$/ && $(NF - 3) ~ /\]$/ {
      cpu = substr($2, 2, length($2) - 2) + 0; cpus[cpu] = 1
      id = $(NF - 3); sub(/.*\[/, "", id); sub(/\]$/, "", id); n = split(id, ids, "/"); pid = ids[n]
      who = index(proxy, " " pid " ") ? "proxy" : $(NF - 3) ~ /^wrk\[/ ? "wrk" : index(upstream, " " pid " ") ? "upstream" : "other"
      ran[cpu, who] += $NF
      if (who == "proxy") delay += $(NF - 1)
      if (first == "") first = $1
      last = $1
    }
    END {
      span = (last - first) * 1000
      if (span <= 0) exit
      line = "placement " name ":"
      for (c = 0; c in cpus; c++) {
        busy = 0
        line = line " cpu" c
        split("proxy wrk upstream other", whos, " ")
        for (w = 1; w <= 4; w++) { busy += ran[c, whos[w]]; line = line sprintf(" %s %.0f%%", whos[w], 100 * ran[c, whos[w]] / span) }
        idle = 100 - 100 * busy / span
        line = line sprintf(" idle %.0f%% |", idle < 0 ? 0 : idle)
      }
      printf "%s proxy woken and waiting %.0f ms/s\n", line, delay / span * 1000
    }' >&2
  rm -f "$sched_file"
}

# The medians table of a results file ("key rps p50 p99 cpu [wait [p99.9 max [steal [load]]]]"
# lines): one row per key, labelled. "run-queue us/req": time the proxy's threads waited for a CPU
# (run_queue_wait_ns). p99.9 and max: the far tail, where a pause of the whole process shows.
# steal %: the hypervisor's share of the machine during the runs (steal_percent). "load us/req":
# the CPU of wrk and the upstream nginx per request (load_ticks).
# ROUNDS_FILE=path: every round's line is appended there too (a median hides the spread).
print_medians() { # results width heading key=label...
  local results=$1 width=$2 heading=$3 pair key label rps p50 p99 cpu wait p999 max steal load
  shift 3
  [ -z "${ROUNDS_FILE:-}" ] || cat "$results" >> "$ROUNDS_FILE"
  printf "%-${width}s %12s %10s %10s %14s %18s %10s %10s %8s %13s\n" "$heading" requests/s p50 p99 "cpu us/req" \
      "run-queue us/req" "p99.9 ms" "max ms" "steal %" "load us/req"
  for pair in "$@"; do
    key=${pair%%=*}; label=${pair#*=}
    rps=$(column_median "$results" "$key" 2)
    p50=$(column_median "$results" "$key" 3)
    p99=$(column_median "$results" "$key" 4)
    cpu=$(column_median "$results" "$key" 5)
    wait=$(column_median "$results" "$key" 6)
    p999=$(column_median "$results" "$key" 7)
    max=$(column_median "$results" "$key" 8)
    steal=$(column_median "$results" "$key" 9)
    load=$(column_median "$results" "$key" 10)
    printf "%-${width}s %12s %9sms %9sms %14s %18s %10s %10s %8s %13s\n" "$label" "$rps" "$p50" "$p99" "$cpu" "$wait" \
        "$p999" "$max" "$steal" "$load"
  done
}

# The median of one column of a results file over the lines of one key; latencies (columns 3 and
# 4) in milliseconds; "-" when the key's lines have no such column.
column_median() { # results key column
  if [ "$3" = 3 ] || [ "$3" = 4 ]; then
    awk -v k="$2" -v c="$3" '$1==k {print $c}' "$1" | to_ms | median
  else
    awk -v k="$2" -v c="$3" '$1==k {print ($c == "" ? "-" : $c)}' "$1" | median
  fi
}

# Switchboard's medians against the better of HAProxy's and NGINX's in each column, the ratios
# the data-path issue set goals for: requests/s at least 1.10x, p99 and CPU per request at most
# 0.90x. Keys haproxy, nginx and switchboard of a results file.
# Then what the requests/s ratio comes to at these costs: where wrk and the upstream share the
# cores with the proxy, cores kept equally busy make cores / (proxy + load) requests a second, so
# against the leaner proxy it is (lean + load) / (switchboard + load), whatever the code does
# (RESULTS.md, twenty-first session); a run can beat it only by keeping the cores busier.
print_goal_ratios() { # results
  local column
  for column in 2 4 5; do
    echo "$(column_median "$1" haproxy "$column") $(column_median "$1" nginx "$column") $(column_median "$1" switchboard "$column")"
  done | awk '
    NR == 1 { best = ($1 > $2 ? $1 : $2); rps = $3 / best }
    NR == 2 { best = ($1 < $2 ? $1 : $2); p99 = $3 / best }
    NR == 3 { best = ($1 < $2 ? $1 : $2); cpu = $3 / best }
    END { printf "switchboard / the better of haproxy and nginx: requests/s %.2fx (goal >= 1.10), p99 %.2fx (<= 0.90), cpu per request %.2fx (<= 0.90)\n", rps, p99, cpu }'
  local lean sb load
  lean=$( (column_median "$1" haproxy 5; column_median "$1" nginx 5) | sort -g | head -1)
  sb=$(column_median "$1" switchboard 5)
  load=$(awk '$1 != "direct" && $10 != "" && $10 != "-" {print $10}' "$1" | median)
  [ -n "$load" ] && [ "$load" != - ] || return 0
  awk -v lean="$lean" -v sb="$sb" -v load="$load" 'BEGIN {
    printf "at these costs (wrk and the upstream %.1f us/request on the same cores), with the cores as busy in every run, requests/s would be %.2fx; 1.10x needs a proxy of %.1f us (%.2fx the leaner one)\n",
        load, (lean + load) / (sb + load), (lean + load) / 1.1 - load, ((lean + load) / 1.1 - load) / lean }'
}
