#!/usr/bin/env bash
# Long-poll scale on loopback: N concurrent /sync long polls, one syt_ token each, held by an
# upstream that never answers (LongPollLoad.java, which is also the client). For HAProxy, NGINX
# and Switchboard in turn, each alone with the same thread count and the same routing (/sync
# hashed on the token): a warm-up (20 rounds of 200 requests held, then released), the proxy's
# RSS idle and with N held (each at rest: the lowest of readings 250 ms apart over 3 s), the
# memory per held request, then every client closes at once, normally (FIN; the default) or
# abortively (reset: SO_LINGER 0, RST), and the time until the proxy releases each upstream
# connection (EOF or reset seen upstream).
# The warm-up's rounds stand for a proxy in service: it has closed thousands of connections before
# a burst, so its JIT has compiled the close path. With one round, Switchboard's release p99 was
# 472-681 ms against 283-397 ms with twenty (benchmarks/RESULTS.md, seventh session); HAProxy and
# NGINX compile nothing. No more than one round is held at a time, so the idle reading counts
# little of it.
# A held request costs the proxy two descriptors and LongPollLoad two more, so N is bounded by
# about (ulimit -n)/2 less a few hundred. Every phase is bounded; the script stops by itself.
# Needs: haproxy nginx-light (apt-get install), a JDK 17+, a built proxy-core/target/switchboard.jar.
# Runs are interleaved (haproxy, nginx, switchboard; then again) and the table shows medians.
# Usage: benchmarks/scripts/longpoll-scale.sh [requests=9000] [threads=1] [close=fin|reset] [rounds=3]
# (PROXIES="nginx switchboard" runs a subset; SWITCHBOARD_JAVA_OPTS replaces the JVM options, by
# default the README's and the Deployment's, readme_java_opts in common.sh. WARMUP_ROUNDS=1 is a
# freshly started proxy; WARMUP=3000 holds that many in each warm-up round instead of 200.)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
requests=${1:-9000}; threads=${2:-1}; close=${3:-fin}; rounds=${4:-3}
longpoll_workdir

fd_limit=$(ulimit -Hn)
if [ "$fd_limit" != unlimited ] && [ $((2 * requests + 200)) -gt "$(ulimit -n)" ]; then
  echo "warning: $requests held requests need about $((2 * requests + 200)) descriptors per process;" \
    "ulimit -n is $(ulimit -n)" >&2
fi
[ "$fd_limit" = unlimited ] && fd_limit=1048576
maxconn=$((requests + 300))
nginx_nofile=$fd_limit
# nginx starts closing connections that have not sent a request yet ("worker_connections are not
# enough, reusing connections") once fewer than 1/16 of worker_connections are free.
nginx_connections=$(( (2 * requests + 100) * 16 / 15 + 16 ))
[ "$nginx_connections" -gt "$fd_limit" ] && nginx_connections=$fd_limit

start_haproxy() { # port upstream_port
  cat > "$work/haproxy.cfg" <<CONF
global
  nbthread $threads
  maxconn $maxconn
defaults
  mode http
  maxconn $maxconn
  timeout connect 5s
  timeout client 180s
  timeout server 180s
  timeout http-keep-alive 180s
  option http-keep-alive
  # Without it HAProxy takes a client's FIN for a half-close and keeps the upstream request
  # until the response or "timeout server"; with it, it releases the upstream at once.
  option abortonclose
frontend fe
  bind 127.0.0.1:$1
  maxconn $maxconn
  default_backend sync
backend sync
  balance hdr(Authorization)
  hash-type consistent
  server s1 127.0.0.1:$2
CONF
  haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 & proxy_pid=$!
}

start_nginx() { # port upstream_port
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes $threads; worker_rlimit_nofile $nginx_nofile; daemon off; pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections $nginx_connections; }
http { access_log off; keepalive_timeout 180s; keepalive_requests 1000000;
  upstream sync { hash \$http_authorization consistent; server 127.0.0.1:$2; keepalive 128; }
  server { listen 127.0.0.1:$1 backlog=4096;
    proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
    proxy_buffering off; proxy_request_buffering off;
    proxy_read_timeout 180s; proxy_send_timeout 180s; send_timeout 180s;
    location / { proxy_pass http://sync; } } }
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" > "$work/nginx.log" 2>&1 & proxy_pid=$!
}

start_switchboard() { # port upstream_port
  longpoll_switchboard_config "$work/switchboard.yaml" "$1" "$2" "$threads"
  # shellcheck disable=SC2086 # SWITCHBOARD_JAVA_OPTS are words, e.g. -Dswitchboard.transport=nio
  java -Xmx512m ${SWITCHBOARD_JAVA_OPTS:-$readme_java_opts} -jar "$work/switchboard.jar" --config "$work/switchboard.yaml" > "$work/switchboard.log" 2>&1 & proxy_pid=$!
}

run() { # name port upstream_port
  local name=$1 port=$2 upstream_port=$3 load_pid
  echo "== $name: $requests held requests, $threads thread(s)" >&2
  rm -f "$work/$name.pid"
  # Progress goes to stderr; the one RESULT line to the .out file.
  timeout 120 java "$work/LongPollLoad.java" --proxy "127.0.0.1:$port" --upstream-port "$upstream_port" \
      --pid-file "$work/$name.pid" --requests "$requests" --warmup "${WARMUP:-200}" --warmup-rounds "${WARMUP_ROUNDS:-20}" --fill-seconds 60 \
      --settle-seconds 2 --release-seconds 5 --close "$close" --max-seconds 110 > "$work/$name.out" & load_pid=$!
  pids+=("$load_pid")
  for _ in $(seq 150); do grep -q '^UPSTREAM READY' "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  "start_$name" "$port" "$upstream_port"
  pids+=("$proxy_pid")
  echo "$proxy_pid" > "$work/$name.pid.tmp" && mv "$work/$name.pid.tmp" "$work/$name.pid"
  wait "$load_pid" || true
  stop_now "$proxy_pid"
  wait "$proxy_pid" 2>/dev/null || true
  if [ -s "$work/$name.log" ]; then
    echo "-- $name log (last 5 lines)" >&2
    tail -n 5 "$work/$name.log" | cut -c1-300 >&2
  fi
  { grep '^RESULT' "$work/$name.out" || echo "RESULT aborted=no_result"; } | tail -n 1 | sed "s/^RESULT/$name/" \
    | tee -a "$work/results" >&2
}

field() { # line key
  tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1==k {print $2}'
}

started=$(date +%s)
echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  ulimit -n: $(ulimit -n)  $(java -version 2>&1 | head -1)  $(haproxy -v | head -1 | cut -d' ' -f1-3)  $(nginx -v 2>&1)"
: > "$work/results"
round_seconds=0
for r in $(seq "$rounds"); do
  # Stay within about fifteen minutes: no round is started that would probably end after that.
  if [ "$r" -gt 1 ] && [ $(( $(date +%s) - started + round_seconds )) -gt 900 ]; then
    echo "stopping after $((r - 1)) round(s) to stay within about 15 minutes" >&2
    break
  fi
  round_start=$(date +%s)
  for proxy in ${PROXIES:-haproxy nginx switchboard}; do
    case $proxy in
      haproxy) run haproxy 18601 19101 ;;
      nginx) run nginx 18602 19102 ;;
      switchboard) run switchboard 18603 19103 ;;
      *) echo "unknown proxy: $proxy" >&2; exit 2 ;;
    esac
  done
  round_seconds=$(( $(date +%s) - round_start ))
done

# One column of one proxy's runs: median (or min/max) over the rounds, "-" where none had a value.
column() { # name key median|min|max
  local name=$1 key=$2 how=$3
  grep "^$name " "$work/results" | grep -v ' aborted=' | while read -r line; do field "$line" "$key"; done \
    | grep -v '^-$' | sort -g \
    | awk -v how="$how" '{a[NR]=$1} END {if (NR == 0) print "-"; else if (how == "min") print a[1];
        else if (how == "max") print a[NR]; else print a[int((NR + 1) / 2)]}'
}

echo
echo "$requests long-poll /sync requests held, $threads thread(s); clients close at once ($close);" \
  "medians of $rounds round(s)"
printf '%-12s %5s %6s %7s %9s %9s %9s %9s %9s %9s %9s\n' proxy runs held failed "idle MiB" "held MiB" \
  "KiB/held" "p50 ms" "p99 ms" "max ms" "not rel."
for name in ${PROXIES:-haproxy nginx switchboard}; do
  aborted=$(grep "^$name " "$work/results" | grep -c ' aborted=' || true)
  n=$(( $(grep -c "^$name " "$work/results" || true) - aborted ))
  [ "$aborted" -eq 0 ] || echo "$name: $aborted run(s) aborted (see above)"
  [ "$n" -gt 0 ] || continue
  failed=$(grep "^$name " "$work/results" | grep -v ' aborted=' | while read -r line; do
    echo $(( $(field "$line" connect_failed) + $(field "$line" answered) + $(field "$line" closed_by_proxy) \
      + $(field "$line" dropped_while_held) )); done | sort -g | tail -n 1)
  printf '%-12s %5s %6s %7s %9.1f %9.1f %9s %9s %9s %9s %9s\n' "$name" "$n" "$(column "$name" held min)" "$failed" \
    "$(awk -v k="$(column "$name" rss_idle_kib median)" 'BEGIN {print k / 1024}')" \
    "$(awk -v k="$(column "$name" rss_held_kib median)" 'BEGIN {print k / 1024}')" \
    "$(column "$name" kib_per_held median)" "$(column "$name" release_p50_ms median)" \
    "$(column "$name" release_p99_ms median)" "$(column "$name" release_max_ms median)" \
    "$(column "$name" not_released max)"
  grep "^$name " "$work/results" | while read -r line; do
    answers=$(field "$line" answers)
    [ -z "$answers" ] || [ "$answers" = - ] || echo "  $name answered held requests itself: $answers (status:count)"
  done
done
echo "(held: fewest reached; failed, not rel.: most in one run. failed: connect failures + requests the proxy"
echo " answered or closed + upstream connections dropped while held; not rel.: held requests whose upstream"
echo " connection was still open 5 s after the client closed)"
echo "took $(( $(date +%s) - started )) s"
