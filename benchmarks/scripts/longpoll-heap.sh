#!/usr/bin/env bash
# Live Java heap per held long poll, the deterministic part of longpoll-scale.sh's "KiB/held":
# Switchboard alone behind LongPollLoad's holding upstream, a class histogram (jcmd
# GC.class_histogram, which collects first, so only live objects count) after the warm-up and
# again with N /sync requests held; the difference per held request, in all and by class.
# The RSS figure of longpoll-scale.sh, even read at rest, moves by a few tenths of a KiB between
# identical runs with what the JIT and the young generation hold at the time; this one does not.
# Needs: a JDK 17+ (jcmd beside java), a built proxy-core/target/switchboard.jar.
# Usage: benchmarks/scripts/longpoll-heap.sh [requests=9000] [threads=2] [top=25]
# (SWITCHBOARD_JAVA_OPTS replaces the JVM options, by default the README's (readme_java_opts in
# common.sh); JAVA_HOME picks the JDK, e.g. a JDK 25 with SWITCHBOARD_JAVA_OPTS="... -XX:+UseCompactObjectHeaders".)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=common.sh
source benchmarks/scripts/common.sh
requests=${1:-9000}; threads=${2:-2}; top=${3:-25}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
longpoll_workdir
port=18703; upstream_port=19203
longpoll_switchboard_config "$work/switchboard.yaml" "$port" "$upstream_port" "$threads"

# The idle histogram is taken in the 6 s between the warm-up and the fill; the requests stay held
# for 40 s after the fill: time for the second one.
timeout 150 "$java" "$work/LongPollLoad.java" --proxy "127.0.0.1:$port" --upstream-port "$upstream_port" \
    --pid-file "$work/switchboard.pid" --requests "$requests" --warmup 200 --fill-seconds 60 --settle-seconds 40 \
    --idle-seconds 6 --release-seconds 5 --close fin --max-seconds 140 > "$work/load.out" 2> "$work/load.err" & pids+=($!)
for _ in $(seq 150); do grep -q '^UPSTREAM READY' "$work/load.out" 2>/dev/null && break; sleep 0.2; done
# shellcheck disable=SC2086 # the options are words
"$java" -Xmx512m ${SWITCHBOARD_JAVA_OPTS:-$readme_java_opts} -jar "$work/switchboard.jar" \
    --config "$work/switchboard.yaml" > "$work/switchboard.log" 2>&1 & proxy=$!
pids+=("$proxy")
echo "$proxy" > "$work/switchboard.pid.tmp" && mv "$work/switchboard.pid.tmp" "$work/switchboard.pid"

for _ in $(seq 300); do grep -q 'warm-up:' "$work/load.err" 2>/dev/null && break; sleep 0.2; done
grep -q 'warm-up:' "$work/load.err" || { echo "the warm-up did not end; load log:" >&2; cat "$work/load.err" >&2; exit 1; }
sleep 2
"$jcmd" "$proxy" GC.class_histogram > "$work/idle.txt"
# Connections the upstream accepted (health checks come and go on their own ones); then time for
# the last requests on them to arrive.
held=0
for _ in $(seq 300); do
  held=$(ss -Htn state established "( sport = :$upstream_port )" | wc -l)
  [ "$held" -ge "$requests" ] && break
  sleep 0.2
done
[ "$held" -ge "$requests" ] || { echo "only $held of $requests requests reached the upstream" >&2; exit 1; }
sleep 5
"$jcmd" "$proxy" GC.class_histogram > "$work/held.txt"

# Histogram lines: "num: instances bytes class".
awk -v n="$requests" -v top="$top" '
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { if (file == 1) { bi[$4] = $3; ii[$4] = $2 } else { bh[$4] = $3; ih[$4] = $2; seen[$4] = 1 } }
  END {
    for (c in bi) seen[c] = 1
    total = 0
    for (c in seen) { d[c] = bh[c] - bi[c]; total += d[c] }
    printf "%d held, %s: live heap %.0f B (%.2f KiB) per held request\n", n, "'"$threads"' event loop(s)", total / n, total / n / 1024
    printf "%9s %9s  %s\n", "B/held", "obj/held", "class"
    for (i = 0; i < top; i++) {
      best = ""; max = -1e18
      for (c in d) if (d[c] > max) { max = d[c]; best = c }
      if (best == "") break
      printf "%9.1f %9.2f  %s\n", d[best] / n, (ih[best] - ii[best]) / n, best
      delete d[best]
    }
  }' "$work/idle.txt" "$work/held.txt"
head -n 1 "$work/switchboard.log" | cut -c1-160
