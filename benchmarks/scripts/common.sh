# Shared by compare.sh and tuning.sh (sourced, not run): the nginx "workers" every proxy is put
# in front of, and the statistics of the result tables.

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
  nginx -c "$dir/nginx.conf" -p "$dir" & pids+=($!)
}

# Switchboard's config for the same routing: the built-in Synapse table over those workers.
# Usage: switchboard_config FILE THREADS
switchboard_config() {
  cat > "$1" <<CONF
listeners: [{name: client, address: "127.0.0.1:18503"}]
admin: {address: "127.0.0.1:18504"}
accessLog: {enabled: false}
runtime: {eventLoopThreads: $2}
upstreams:
  main: {endpoints: ["127.0.0.1:19000"]}
  synchrotron: {endpoints: ["127.0.0.1:19001", "127.0.0.1:19002"]}
  generic: {endpoints: ["127.0.0.1:19003", "127.0.0.1:19004"]}
  media: {endpoints: ["127.0.0.1:19005"]}
CONF
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wrk prints 512.00us, 1.23ms or 1.02s: all to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'; }
