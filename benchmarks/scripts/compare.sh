#!/usr/bin/env bash
# Side-by-side load comparison on loopback: HAProxy, NGINX and Switchboard in front of the same
# nginx "workers", configured for the same routing (/sync hashed on Authorization to two
# synchrotrons, least connections for generic and media, main for admin and federation,
# keep-alive upstream), the same thread counts, a Matrix-shaped request mix over 5,000 tokens.
# Runs interleaved (direct, haproxy, nginx, switchboard; N rounds after a warm-up) and prints
# medians: requests/s, p50, p99, the proxy's own CPU time per request and the time its threads
# waited for a CPU per request (both from /proc).
# Needs: wrk haproxy nginx-light (apt-get install), a built proxy-core/target/switchboard.jar.
# Usage: benchmarks/scripts/compare.sh [rounds=3] [seconds=10] [connections=64] [threads="1 2"]
# ACCESS_LOGS=1: every proxy writes an access log line per request (HAProxy httplog to stdout,
# NGINX combined to a file, Switchboard's JSON to a file), each outside any config directory.
# SWITCHBOARD_JAVA_OPTS replaces Switchboard's JVM options (default: the README's).
# Each run's "steal %" is the share of the machine the hypervisor took meanwhile; a run with more
# than STEAL_LIMIT (default 10) is measured again, up to STEAL_RETRIES (3) times (common.sh).
# SCHED_SAMPLE=1: each proxy run also says where the scheduler ran the proxy, wrk and the upstream
# (perf sched over two seconds of the run; common.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
rounds=${1:-3}; seconds=${2:-10}; connections=${3:-64}; thread_counts=${4:-"1 2"}
jar=proxy-core/target/switchboard.jar
mix=benchmarks/scripts/matrix-mix.lua
work=$(mktemp -d)
pids=()
cleanup() { stop_now "${pids[@]}"; rm -rf "$work"; }
trap cleanup EXIT

start_workers "$work"
logs=${ACCESS_LOGS:-0}
mkdir -p "$work/logs"
if [ "$logs" = 1 ]; then
  haproxy_log="  log stdout format raw local0
  option httplog"
  nginx_log="access_log $work/logs/nginx-access.log combined;"
else
  haproxy_log=""
  nginx_log="access_log off;"
fi

start_proxies() { # threads
  local t=$1
  cat > "$work/haproxy.cfg" <<CONF
global
  nbthread $t
  maxconn 9000
defaults
  mode http
$haproxy_log
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:18501
$(haproxy_routing)
CONF
  haproxy -f "$work/haproxy.cfg" -db > "$work/logs/haproxy-stdout.log" 2>&1 & hp=$!
  mkdir -p "$work/nginx-proxy"
  cat > "$work/nginx-proxy/nginx.conf" <<CONF
worker_processes $t; daemon off; pid $work/nginx-proxy/nginx.pid; error_log stderr error;
events { worker_connections 8192; }
http { $nginx_log keepalive_requests 1000000;
$(nginx_upstreams)
  server { listen 127.0.0.1:18502;
    proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$remote_addr; proxy_buffering off; proxy_request_buffering off;
$(nginx_locations)
  } }
CONF
  nginx -c "$work/nginx-proxy/nginx.conf" -p "$work/nginx-proxy" & np=$!
  switchboard_config "$work/switchboard.yaml" $t
  if [ "$logs" = 1 ]; then
    sed -i "s|^accessLog: .*|accessLog: {path: \"$work/logs/switchboard-access.log\"}|" "$work/switchboard.yaml"
  fi
  # shellcheck disable=SC2086 # the options are words
  java -Xms512m -Xmx512m ${SWITCHBOARD_JAVA_OPTS:-$readme_java_opts} -jar "$jar" --config "$work/switchboard.yaml" \
      > "$work/switchboard.log" 2>&1 & sp=$!
  pids+=($hp $np $sp)
  for _ in $(seq 50); do curl -sf http://127.0.0.1:18504/ready >/dev/null && break; sleep 0.2; done
}

stop_proxies() { stop_now "$hp" "$np" "$sp"; }

run() { # name port pid(or -)
  wrk_measure "$1" "http://127.0.0.1:$2" "$3" "$mix"
}


echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  $(java -version 2>&1 | head -1)  $(haproxy -v | head -1 | cut -d' ' -f1-3)  $(nginx -v 2>&1)"
echo "wrk -t1 -c$connections -d${seconds}s, Matrix mix over 5000 tokens, $rounds interleaved rounds after warm-up, access logs: $([ "$logs" = 1 ] && echo on || echo off)"
for t in $thread_counts; do
  start_proxies "$t"
  for port in 18501 18502 18503; do wrk_warmup "http://127.0.0.1:$port" "$mix"; done
  results="$work/results-$t"
  : > "$results"
  for r in $(seq "$rounds"); do
    run direct 19000 - >> "$results"
    run haproxy 18501 "$hp" >> "$results"
    run nginx 18502 "$np" >> "$results"
    run switchboard 18503 "$sp" >> "$results"
  done
  stop_proxies
  echo
  echo "threads=$t (medians of $rounds)"
  print_medians "$results" 12 proxy direct=direct haproxy=haproxy nginx=nginx switchboard=switchboard
  print_goal_ratios "$results"
done
