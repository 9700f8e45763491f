#!/usr/bin/env bash
# Memory per idle TLS keep-alive connection: N TLS connections (TLS 1.3, an ECDSA P-256 certificate
# made here with openssl, SNI) each served one request and then held idle, against HAProxy, NGINX
# and Switchboard in turn, each alone; RSS of the proxy before and with them held.
# Needs: haproxy nginx-light openssl (apt-get install), a JDK 17+, a built proxy-core/target/switchboard.jar.
# N TLS connections cost the proxy N descriptors and the client N more: keep N under (ulimit -n) less a few hundred.
# Usage: benchmarks/scripts/tls-idle-memory.sh [connections=5000] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
connections=${1:-5000}; t=${2:-2}
work=$(mktemp -d)
pids=()
cleanup() { stop_now "${pids[@]}"; rm -rf "$work"; }
trap cleanup EXIT
cp proxy-core/target/switchboard.jar "$work/switchboard.jar"
cp benchmarks/scripts/TlsIdleConnections.java "$work/"
start_workers "$work"
mkdir -p "$work/tls"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/tls/tls.key" 2>/dev/null
openssl req -x509 -new -key "$work/tls/tls.key" -out "$work/tls/tls.crt" -days 2 -subj "/CN=matrix.example.test" \
    -addext "subjectAltName=DNS:matrix.example.test" 2>/dev/null
cat "$work/tls/tls.crt" "$work/tls/tls.key" > "$work/tls/haproxy.pem"

measure() { # name port pid
  java "$work/TlsIdleConnections.java" --connect "127.0.0.1:$2" --host matrix.example.test --pid "$3" \
      --connections "$connections" | sed "s/^RESULT/$1/"
}

cat > "$work/haproxy.cfg" <<CONF
global
  nbthread $t
  maxconn 6000
  ssl-default-bind-options ssl-min-ver TLSv1.3
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 60s
  timeout http-keep-alive 120s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:18521 ssl crt $work/tls/haproxy.pem alpn http/1.1
  default_backend main
backend main
  server main 127.0.0.1:19000
CONF
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 & hp=$!; pids+=($hp)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18521) 2>/dev/null && break; sleep 0.1; done
measure haproxy 18521 $hp; stop_now $hp

mkdir -p "$work/nginx-proxy"
cat > "$work/nginx-proxy/nginx.conf" <<CONF
worker_processes $t; daemon off; pid $work/nginx-proxy/nginx.pid; error_log stderr error;
worker_rlimit_nofile 20000;
events { worker_connections 12000; }
http { access_log off; keepalive_timeout 120s; keepalive_requests 1000000;
  upstream main { server 127.0.0.1:19000; keepalive 128; }
  server { listen 127.0.0.1:18522 ssl;
    ssl_certificate $work/tls/tls.crt; ssl_certificate_key $work/tls/tls.key; ssl_protocols TLSv1.3;
    proxy_http_version 1.1; proxy_set_header Connection "";
    location / { proxy_pass http://main; } } }
CONF
nginx -c "$work/nginx-proxy/nginx.conf" -p "$work/nginx-proxy" & np=$!; pids+=($np)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18522) 2>/dev/null && break; sleep 0.1; done
measure nginx 18522 $np; stop_now $np

cat > "$work/switchboard.yaml" <<CONF
listeners:
  - name: https
    address: "127.0.0.1:18523"
    tls: {certificates: [{cert: "$work/tls/tls.crt", key: "$work/tls/tls.key"}], minVersion: TLSv1.3}
admin: {address: "127.0.0.1:18524"}
accessLog: {enabled: false}
runtime: {eventLoopThreads: $t}
drain: {delay: 0s, timeout: 1s}
timeouts: {downstreamIdle: 120s}
upstreams:
  main: {endpoints: ["127.0.0.1:19000"]}
CONF
# shellcheck disable=SC2086 # the options are words
java -Xms512m -Xmx512m ${SWITCHBOARD_JAVA_OPTS:-$readme_java_opts} -jar "$work/switchboard.jar" \
    --config "$work/switchboard.yaml" > "$work/switchboard.log" 2>&1 & sp=$!; pids+=($sp)
for _ in $(seq 50); do curl -sf http://127.0.0.1:18524/ready >/dev/null && break; sleep 0.2; done
measure switchboard 18523 $sp
