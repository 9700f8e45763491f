#!/usr/bin/env bash
# First measurement: requests/s and latency with wrk, straight to an nginx upstream and through
# Switchboard, interleaved (direct, proxy, direct, proxy, ...) so machine noise hits both alike.
# Loopback only; every process started here is stopped on exit.
# Needs: wrk, nginx (apt-get install wrk nginx-light), a built proxy-core/target/switchboard.jar.
# Usage: benchmarks/scripts/direct-vs-proxy.sh [rounds] [seconds] [connections] [proxy threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
rounds=${1:-3}; seconds=${2:-10}; connections=${3:-50}; threads=${4:-1}
upstream_port=18480; proxy_port=18481; admin_port=18482
work=$(mktemp -d)
pids=()
cleanup() { stop_now "${pids[@]}"; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$upstream_port;
    location / { return 200 '{"ok":true}'; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

cat > "$work/switchboard.yaml" <<CONF
listeners:
  - name: client
    address: "127.0.0.1:$proxy_port"
admin:
  address: "127.0.0.1:$admin_port"
upstreams:
  main:
    endpoints: ["127.0.0.1:$upstream_port"]
runtime:
  eventLoopThreads: $threads
drain: {delay: 0s, timeout: 1s}
CONF
java -Xms256m -Xmx256m -jar proxy-core/target/switchboard.jar --config "$work/switchboard.yaml" &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$admin_port/ready" >/dev/null && break; sleep 0.2; done

target=/_matrix/client/v3/sync
echo "warm-up (JIT) ..."
wrk_warmup "http://127.0.0.1:$proxy_port$target"

echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  java: $(java -version 2>&1 | head -1)"
echo "wrk -t1 -c$connections -d${seconds}s, proxy eventLoopThreads=$threads"
printf '%-8s %-6s %12s %10s %10s\n' round target "requests/s" p50 p99
for round in $(seq "$rounds"); do
  for name in direct proxy; do
    port=$upstream_port; [ "$name" = proxy ] && port=$proxy_port
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port$target")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '%-8s %-6s %12s %10s %10s\n' "$round" "$name" "$rps" "$p50" "$p99"
  done
done
