#!/usr/bin/env bash
# Switchboard against itself: variants (a jar and JVM options each) behind the same nginx
# "workers" and routing as compare.sh, the same Matrix mix, runs interleaved (A B C A B C ...)
# after a warm-up of each, medians of requests/s, p50, p99 and the proxy's CPU per request.
# For the tuning notes of benchmarks/RESULTS.md: allocator, GC, JDK, a code change's before/after.
# Needs: wrk nginx-light (apt-get install). Every process started here is stopped on exit.
# Usage: benchmarks/scripts/tuning.sh rounds seconds threads "name|jar|java options[|java binary]" ...
#   e.g. tuning.sh 3 10 1 "base|old.jar|" "pooled|proxy-core/target/switchboard.jar|-Dio.netty.allocator.type=pooled"
# The word @accesslog among a variant's options turns its access log on (to a file outside the
# config directory): "off|jar|" "on|jar|@accesslog" measures what the log costs.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
rounds=$1; seconds=$2; threads=$3; shift 3
variants=("$@")
mix=benchmarks/scripts/matrix-mix.lua
connections=64
work=$(mktemp -d)
pids=()
cleanup() { stop_now "${pids[@]}"; rm -rf "$work"; }
trap cleanup EXIT

start_workers "$work"
switchboard_config "$work/switchboard.yaml" $threads

# Each variant's jar is copied first, so a rebuild during the run cannot change it.
for i in "${!variants[@]}"; do
  IFS='|' read -r _ jar _ <<<"${variants[$i]}"
  cp "$jar" "$work/variant-$i.jar"
done

start() { # index -> pid
  IFS='|' read -r _ _ opts javabin <<<"${variants[$1]}"
  local config="$work/switchboard.yaml"
  if [[ " $opts " == *" @accesslog "* ]]; then
    opts=${opts//@accesslog/}
    config="$work/switchboard-logging.yaml"
    mkdir -p "$work/logs"
    sed "s|^accessLog: .*|accessLog: {path: \"$work/logs/access-$1.log\"}|" "$work/switchboard.yaml" > "$config"
  fi
  # shellcheck disable=SC2086 # the options are words
  "${javabin:-java}" -Xms512m -Xmx512m $opts -jar "$work/variant-$1.jar" --config "$config" > "$work/variant-$1.log" 2>&1 &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18504/ready >/dev/null && break; sleep 0.2; done
  echo "$pid"
}
stop() { stop_now "$1"; }

echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  threads: $threads  wrk -t1 -c$connections -d${seconds}s, Matrix mix, $rounds interleaved rounds"
results="$work/results"
: > "$results"
for r in $(seq "$rounds"); do
  for i in "${!variants[@]}"; do
    pid=$(start "$i")
    wrk_warmup http://127.0.0.1:18503 "$mix"
    wrk_measure "$i" http://127.0.0.1:18503 "$pid" "$mix" >> "$results"
    stop "$pid"
  done
done

labels=()
for i in "${!variants[@]}"; do
  IFS='|' read -r name _ _ <<<"${variants[$i]}"
  labels+=("$i=$name")
done
print_medians "$results" 24 variant "${labels[@]}"
