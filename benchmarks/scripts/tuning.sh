#!/usr/bin/env bash
# Switchboard against itself: variants (a jar and JVM options each) behind the same nginx
# "workers" and routing as compare.sh, the same Matrix mix, runs interleaved (A B C A B C ...)
# after a warm-up of each, medians of requests/s, p50, p99 and the proxy's CPU per request.
# For the tuning notes of benchmarks/RESULTS.md: allocator, GC, JDK, a code change's before/after.
# Needs: wrk nginx-light (apt-get install). Every process started here is stopped on exit.
# Usage: benchmarks/scripts/tuning.sh rounds seconds threads "name|jar|java options[|java binary]" ...
#   e.g. tuning.sh 3 10 1 "base|old.jar|" "pooled|proxy-core/target/switchboard.jar|-Dio.netty.allocator.type=pooled"
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=$1; seconds=$2; threads=$3; shift 3
variants=("$@")
mix=benchmarks/scripts/matrix-mix.lua
connections=64
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/workers"
cat > "$work/workers/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/workers/nginx.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000; client_body_buffer_size 64k;
  server { listen 127.0.0.1:19000; listen 127.0.0.1:19001; listen 127.0.0.1:19002; listen 127.0.0.1:19003;
           listen 127.0.0.1:19004; listen 127.0.0.1:19005;
           location / { return 200 '{"ok":true}'; } } }
CONF
nginx -c "$work/workers/nginx.conf" -p "$work/workers" & pids+=($!)
cat > "$work/switchboard.yaml" <<CONF
listeners: [{name: client, address: "127.0.0.1:18503"}]
admin: {address: "127.0.0.1:18504"}
accessLog: {enabled: false}
runtime: {eventLoopThreads: $threads}
upstreams:
  main: {endpoints: ["127.0.0.1:19000"]}
  synchrotron: {endpoints: ["127.0.0.1:19001", "127.0.0.1:19002"]}
  generic: {endpoints: ["127.0.0.1:19003", "127.0.0.1:19004"]}
  media: {endpoints: ["127.0.0.1:19005"]}
CONF

# Each variant's jar is copied first, so a rebuild during the run cannot change it.
for i in "${!variants[@]}"; do
  IFS='|' read -r _ jar _ <<<"${variants[$i]}"
  cp "$jar" "$work/variant-$i.jar"
done

start() { # index -> pid
  IFS='|' read -r _ _ opts javabin <<<"${variants[$1]}"
  # shellcheck disable=SC2086 # the options are words
  "${javabin:-java}" -Xms512m -Xmx512m $opts -jar "$work/variant-$1.jar" --config "$work/switchboard.yaml" > "$work/variant-$1.log" 2>&1 &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18504/ready >/dev/null && break; sleep 0.2; done
  echo "$pid"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  threads: $threads  wrk -t1 -c$connections -d${seconds}s, Matrix mix, $rounds interleaved rounds"
results="$work/results"
: > "$results"
for r in $(seq "$rounds"); do
  for i in "${!variants[@]}"; do
    pid=$(start "$i")
    wrk -t1 -c"$connections" -d10s -s "$mix" http://127.0.0.1:18503 > /dev/null   # JIT warm-up
    before=$(ticks "$pid")
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$mix" http://127.0.0.1:18503)
    after=$(ticks "$pid")
    stop "$pid"
    awk -v i="$i" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
      /Requests\/sec/ {rps=$2} /requests in/ {n=$1} $1=="50%" {p50=$2} $1=="99%" {p99=$2}
      END {printf "%s %s %s %s %.1f\n", i, rps, p50, p99, t / hz * 1e6 / n}' <<<"$out" >> "$results"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'; }
printf '%-24s %12s %10s %10s %14s\n' variant requests/s p50 p99 "cpu us/req"
for i in "${!variants[@]}"; do
  IFS='|' read -r name _ _ <<<"${variants[$i]}"
  rps=$(awk -v i="$i" '$1==i {print $2}' "$results" | median)
  p50=$(awk -v i="$i" '$1==i {print $3}' "$results" | to_ms | median)
  p99=$(awk -v i="$i" '$1==i {print $4}' "$results" | to_ms | median)
  cpu=$(awk -v i="$i" '$1==i {print $5}' "$results" | median)
  printf '%-24s %12s %9sms %9sms %14s\n' "$name" "$rps" "$p50" "$p99" "$cpu"
done
