#!/usr/bin/env bash
# Two Switchboard variants measured at the same time, each behind its own wrk (half compare.sh's
# connections each) in front of the same nginx "workers" and the same Matrix mix: CPU per request,
# requests and p99 of each, and B's ratios to A, round by round.
#
# Why at the same time: this host drifts by 10-30% between one 10 s run and the next (RESULTS.md,
# seventeenth session), so tuning.sh's interleaved runs need many rounds to see a 5% change. Two
# variants that run side by side meet the same drift, and the ratio of their CPU per request moved
# by +-2-4% per round between two copies of the same jar. Each variant gets about half the
# machine, so its absolute figures are not compare.sh's; only the ratios mean anything. Swap A and
# B in a second run: the variant whose wrk starts first can come out ahead by a few per cent.
# Needs: wrk nginx-light (apt-get install). Every process started here is stopped on exit.
# Usage: benchmarks/scripts/concurrent-ab.sh rounds seconds threads "name|jar|java options" "name|jar|java options"
# The word @accesslog among a variant's options turns its access log on, as in tuning.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
rounds=$1; seconds=$2; threads=$3; variant_a=$4; variant_b=$5
mix=benchmarks/scripts/matrix-mix.lua
connections=32
work=$(mktemp -d)
pids=()
cleanup() { stop_now "${pids[@]}"; rm -rf "$work"; }
trap cleanup EXIT

start_workers "$work"
switchboard_config "$work/a.yaml" "$threads"
sed -e 's/18503/18603/; s/18504/18604/' "$work/a.yaml" > "$work/b.yaml"

start() { # "name|jar|options" config admin-port; the jar is copied so a rebuild cannot change it
  local name jar opts config=$2
  IFS='|' read -r name jar opts <<<"$1"
  cp "$jar" "$work/$name.jar"
  if [[ " $opts " == *" @accesslog "* ]]; then # as in tuning.sh: the access log on, outside the config's directory
    opts=${opts//@accesslog/}
    config="$work/$name-logging.yaml"
    mkdir -p "$work/logs"
    sed "s|^accessLog: .*|accessLog: {path: \"$work/logs/access-$name.log\"}|" "$2" > "$config"
  fi
  # shellcheck disable=SC2086 # the options are words
  java -Xms512m -Xmx512m $opts -jar "$work/$name.jar" --config "$config" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/ready" >/dev/null && break; sleep 0.2; done
}

name_a=${variant_a%%|*}; name_b=${variant_b%%|*}
[ "$name_a" != "$name_b" ] || { echo "the two variants need different names" >&2; exit 2; }
start "$variant_a" "$work/a.yaml" 18504
pid_a=${pids[-1]}
start "$variant_b" "$work/b.yaml" 18604
pid_b=${pids[-1]}
wrk_warmup http://127.0.0.1:18503 "$mix" & warming=$!
wrk_warmup http://127.0.0.1:18603 "$mix"
wait "$warming"

echo "date: $(date -u +%FT%TZ)  cpus: $(nproc)  threads: $threads  two wrk -t1 -c$connections -d${seconds}s at once, Matrix mix"
printf "%-6s %-14s %10s %10s %9s | %-14s %10s %10s %9s | %9s %9s\n" round A requests "cpu us/req" p99 B requests \
    "cpu us/req" p99 "B/A cpu" "B/A req"
for r in $(seq "$rounds"); do
  a0=$(cpu_ticks "$pid_a"); b0=$(cpu_ticks "$pid_b")
  wrk -t1 -c$connections -d"${seconds}s" --latency -s "$mix" http://127.0.0.1:18503 > "$work/wrk-a" & loading=$!
  wrk -t1 -c$connections -d"${seconds}s" --latency -s "$mix" http://127.0.0.1:18603 > "$work/wrk-b"
  wait "$loading"
  a1=$(cpu_ticks "$pid_a"); b1=$(cpu_ticks "$pid_b")
  requests_a=$(awk '/requests in/ {print $1}' "$work/wrk-a"); requests_b=$(awk '/requests in/ {print $1}' "$work/wrk-b")
  cpu_a=$(cpu_us_per_request $((a1 - a0)) "$requests_a"); cpu_b=$(cpu_us_per_request $((b1 - b0)) "$requests_b")
  printf "%-6s %-14s %10s %10s %9s | %-14s %10s %10s %9s | %9s %9s\n" "$r" "$name_a" "$requests_a" "$cpu_a" \
      "$(awk '$1=="99%" {print $2}' "$work/wrk-a")" "$name_b" "$requests_b" "$cpu_b" "$(awk '$1=="99%" {print $2}' "$work/wrk-b")" \
      "$(awk -v a="$cpu_a" -v b="$cpu_b" 'BEGIN {printf "%.3f", b / a}')" \
      "$(awk -v a="$requests_a" -v b="$requests_b" 'BEGIN {printf "%.3f", b / a}')"
done | tee "$work/rounds"
echo "median over $rounds rounds: B/A cpu per request $(awk '{print $(NF - 1)}' "$work/rounds" | median)," \
    "B/A requests $(awk '{print $NF}' "$work/rounds" | median)"
