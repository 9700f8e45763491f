#!/usr/bin/env bash
# TLS termination side by side on loopback: HAProxy, NGINX and Switchboard, each with the same
# ECDSA P-256 certificate (made here with openssl), TLS 1.3 only, ALPN h2 and http/1.1, in front of the
# same nginx "workers" with the same routing as compare.sh, the same thread counts, the Matrix mix.
# Three measures per proxy, interleaved (haproxy, nginx, switchboard; N rounds after a warm-up):
#   keep-alive: wrk over long-lived HTTPS connections (the handshake cost is amortised away);
#   handshakes: wrk with "Connection: close", so every request opens a connection and does a full
#               TLS 1.3 handshake (wrk keeps no session for resumption);
#   h2: h2load over HTTP/2 (ALPN h2), 10 streams in flight per connection, the mix's GET paths
#       with a user's token (h2load has no scripting: no PUTs); p50/p99 columns are h2load's mean
#       and mean+2sd of the request time, as it reports no percentiles.
# Prints medians: requests/s, p50, p99, the proxy's CPU time per request (from /proc).
# Needs: wrk haproxy nginx-light openssl nghttp2-client (apt-get install), a built
# proxy-core/target/switchboard.jar.
# Usage: benchmarks/scripts/compare-tls.sh [rounds=3] [seconds=10] [connections=64] [threads="1 2"]
# SWITCHBOARD_JAVA_OPTS replaces Switchboard's JVM options (default: the README's); MODES=h2 runs a subset.
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
mkdir -p "$work/tls" "$work/logs"
# The same certificate for all three; the key in SEC1 form, as cert-manager writes an ECDSA key.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/tls/tls.key"
openssl req -x509 -new -key "$work/tls/tls.key" -out "$work/tls/tls.crt" -days 2 -subj "/CN=matrix.example.test" \
    -addext "subjectAltName=DNS:matrix.example.test" 2>/dev/null
cat "$work/tls/tls.crt" "$work/tls/tls.key" > "$work/tls/haproxy.pem"
# The mix, and the same mix with every request closing its connection.
close_mix="$work/close-mix.lua"
{ cat "$mix"; echo 'local mix_request = request'; echo 'request = function() return (mix_request():gsub("\r\n", "\r\nConnection: close\r\n", 1)) end'; } > "$close_mix"

start_proxies() { # threads
  local t=$1
  cat > "$work/haproxy.cfg" <<CONF
global
  nbthread $t
  maxconn 9000
  ssl-default-bind-options ssl-min-ver TLSv1.3
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:18511 ssl crt $work/tls/haproxy.pem alpn h2,http/1.1
  http-request set-header X-Forwarded-Proto https
$(haproxy_routing)
CONF
  haproxy -f "$work/haproxy.cfg" -db > "$work/logs/haproxy-stdout.log" 2>&1 & hp=$!
  mkdir -p "$work/nginx-proxy"
  cat > "$work/nginx-proxy/nginx.conf" <<CONF
worker_processes $t; daemon off; pid $work/nginx-proxy/nginx.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
$(nginx_upstreams)
  server { listen 127.0.0.1:18512 ssl http2;
    ssl_certificate $work/tls/tls.crt; ssl_certificate_key $work/tls/tls.key; ssl_protocols TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$remote_addr; proxy_set_header X-Forwarded-Proto https;
    proxy_buffering off; proxy_request_buffering off;
$(nginx_locations)
  } }
CONF
  nginx -c "$work/nginx-proxy/nginx.conf" -p "$work/nginx-proxy" & np=$!
  switchboard_config "$work/switchboard.yaml" $t
  sed -i "s|^listeners: .*|listeners: [{name: client, address: \"127.0.0.1:18513\", tls: {certificates: [{cert: \"$work/tls/tls.crt\", key: \"$work/tls/tls.key\"}], minVersion: TLSv1.3}}]|" \
      "$work/switchboard.yaml"
  # shellcheck disable=SC2086 # the options are words
  java -Xms512m -Xmx512m ${SWITCHBOARD_JAVA_OPTS:-$readme_java_opts} -jar "$jar" --config "$work/switchboard.yaml" \
      > "$work/switchboard.log" 2>&1 & sp=$!
  pids+=($hp $np $sp)
  for _ in $(seq 50); do curl -sf http://127.0.0.1:18504/ready >/dev/null && break; sleep 0.2; done
  grep -o 'tls=[^ ]* [^ ]*' "$work/switchboard.log" | head -1 >&2 || true
}

stop_proxies() { stop_now "$hp" "$np" "$sp"; }

# The mix's GET paths for h2load (one URI per line, cycled through).
h2_uris="$work/h2-uris"
for path in "/_matrix/client/v3/sync?since=s72594_4483&timeout=0" "/_matrix/client/v3/sync?since=s72594_4483&timeout=0" \
    "/_matrix/client/v3/profile/%40alice%3Aexample.org" "/_matrix/client/v1/media/thumbnail/example.org/abcdef?width=96&height=96" \
    "/_synapse/admin/v1/server_version" "/_matrix/client/versions"; do echo "$path"; done > "$h2_uris"

run_h2() { # name port pid
  local name=$1 port=$2 pid=$3 before after out
  before=$(cpu_ticks "$pid")
  out=$(h2load -t1 -c"$connections" -m10 -D"$seconds" -H "Authorization: Bearer syt_dXNlcjE_RANDOMrandomRANDOM1_0a1b2c" \
      -i <(sed "s|^|https://127.0.0.1:$port|" "$h2_uris") 2>&1)
  after=$(cpu_ticks "$pid")
  local rps requests mean sd cpu failed
  rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  requests=$(awk '/^requests:/ {print $8}' <<<"$out")
  failed=$(awk '/^requests:/ {print $10 + $12}' <<<"$out")
  [ "${failed:-0}" = 0 ] || echo "$name: $failed failed or errored requests" >&2
  mean=$(awk '/^time for request:/ {print $6}' <<<"$out")
  sd=$(awk '/^time for request:/ {print $7}' <<<"$out")
  cpu=$(cpu_us_per_request $((after - before)) "$requests")
  echo "$name $rps $mean $(awk -v m="$(to_ms <<<"$mean")" -v s="$(to_ms <<<"$sd")" 'BEGIN {printf "%.2fms", m + 2 * s}') $cpu"
}

run() { # name port pid script
  wrk_measure "$1" "https://127.0.0.1:$2" "$3" "$4"
}

echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  $(java -version 2>&1 | head -1)  $(haproxy -v | head -1 | cut -d' ' -f1-3)  $(nginx -v 2>&1)  $(openssl version | cut -d' ' -f1-2)"
echo "wrk -t1 -c$connections -d${seconds}s over TLS 1.3 (ECDSA P-256), Matrix mix over 5000 tokens, $rounds interleaved rounds after warm-up"
for t in $thread_counts; do
  start_proxies "$t"
  for port in 18511 18512 18513; do wrk_warmup "https://127.0.0.1:$port" "$mix"; done
  for mode in ${MODES:-keep-alive handshakes h2}; do
    script=$mix
    [ "$mode" = handshakes ] && script=$close_mix
    results="$work/results-$t-$mode"
    : > "$results"
    if [ "$mode" = h2 ]; then
      # The warm-up above spoke HTTP/1.1: each proxy's HTTP/2 path gets its own, unmeasured.
      for proxy_port in "haproxy 18511 $hp" "nginx 18512 $np" "switchboard 18513 $sp"; do
        # shellcheck disable=SC2086 # three words: name port pid
        seconds=10 run_h2 $proxy_port > /dev/null
      done
    fi
    for r in $(seq "$rounds"); do
      if [ "$mode" = h2 ]; then
        run_h2 haproxy 18511 "$hp" >> "$results"
        run_h2 nginx 18512 "$np" >> "$results"
        run_h2 switchboard 18513 "$sp" >> "$results"
        continue
      fi
      run haproxy 18511 "$hp" "$script" >> "$results"
      run nginx 18512 "$np" "$script" >> "$results"
      run switchboard 18513 "$sp" "$script" >> "$results"
    done
    echo
    echo "threads=$t, $mode (medians of $rounds)"
    print_medians "$results" 12 proxy haproxy=haproxy nginx=nginx switchboard=switchboard
    print_goal_ratios "$results"
  done
  stop_proxies
done
