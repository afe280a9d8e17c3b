#!/usr/bin/env bash
# The thesis' locality experiment (ch. 6): a Zipf request mix over TARGETS objects through the JVS http
# engine to four real servers, each with a small LRU cache (bench/locality/CacheServer.java: CAPACITY
# objects; a miss holds the server's one disk for MISS_US microseconds), once per scheduler (lblc, lblcr, wlc, rr). Reports the
# servers' cache hit ratio and requests/s; locality-aware scheduling should keep each object on one server,
# so four small caches act as one large one. Writes OUT/locality.json and OUT/locality.svg.
# Everything listens on 127.0.0.1 and is stopped at the end, also on failure.
#
# usage: bench/l7-locality.sh [SECONDS per scheduler, default 15] [CONNECTIONS, default 64]
#        env: TARGETS (10000), ZIPF_S (0.9), CAPACITY (1000), MISS_US (1000), WARM (10), OUT (.bench/l7)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-15}"
CONNS="${2:-64}"
export TARGETS="${TARGETS:-10000}" ZIPF_S="${ZIPF_S:-0.9}"
CAPACITY="${CAPACITY:-1000}"
MISS_US="${MISS_US:-1000}"
WARM="${WARM:-10}"
OUT="${OUT:-$HERE/.bench/l7}"
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
SCHEDULERS="lblc lblcr wlc rr"
WORK="$(mktemp -d /tmp/jvs-bench-locality.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/bench/lib.sh"
for tool in wrk taskset curl; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
mkdir -p "$OUT"
BACKENDS="19101 19102 19103 19104"
declare -A PORT=([lblc]=18201 [lblcr]=18202 [wlc]=18203 [rr]=18204)

taskset -c 1 "$JAVA" -Xmx1g "$HERE/bench/locality/CacheServer.java" "$CAPACITY" "$MISS_US" $BACKENDS >"$WORK/backends.log" 2>&1 &
PIDS+=($!)
{
  echo "director:"
  echo "  control_socket: $WORK/jvs.sock"
  echo "services:"
  for s in $SCHEDULERS; do
    echo "  - {address: 127.0.0.1, port: ${PORT[$s]}, engine: http, scheduler: $s,"
    echo "     real_servers: [$(for b in $BACKENDS; do printf '{address: 127.0.0.1, port: %s, method: nat}, ' "$b"; done | sed 's/, $//')]}"
  done
} >"$WORK/jvs.yaml"
taskset -c 0 env JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/jvs.yaml" >"$WORK/jvs.log" 2>&1 &
PIDS+=($!)

for b in $BACKENDS; do wait_port "$b"; done
for s in $SCHEDULERS; do wait_port "${PORT[$s]}"; done

# Sum of "hits misses" over the four servers.
stats() { local h=0 m=0 b x y; for b in $BACKENDS; do read -r x y <<<"$(curl -sf "http://127.0.0.1:$b/__stats")"; h=$((h + x)); m=$((m + y)); done; echo "$h $m"; }

printf '%-6s %12s %10s %8s %8s\n' scheduler "requests/s" "hit ratio" "p50 ms" "p99 ms"
json="$OUT/locality.json"
printf '{\n  "benchmark": "l7-locality", "date": "%s", "targets": %s, "zipf_s": %s, "cache_capacity": %s, "miss_us": %s, "seconds": %s, "connections": %s,\n  "runs": [' \
  "$(date -u +%FT%TZ)" "$TARGETS" "$ZIPF_S" "$CAPACITY" "$MISS_US" "$DUR" "$CONNS" >"$json"
: >"$WORK/chart.tsv"
sep=""
for s in $SCHEDULERS; do
  for b in $BACKENDS; do curl -sf "http://127.0.0.1:$b/__reset" >/dev/null; done
  # warm-up: fills the caches and compiles the code; its hits are not counted
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$WARM"s -s "$HERE/bench/locality/zipf.lua" "http://127.0.0.1:${PORT[$s]}/" >/dev/null 2>&1 || true
  read -r h0 m0 <<<"$(stats)"
  out="$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -s "$HERE/bench/locality/zipf.lua" "http://127.0.0.1:${PORT[$s]}/")"
  read -r h1 m1 <<<"$(stats)"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"; p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  ratio="$(awk -v h=$((h1 - h0)) -v m=$((m1 - m0)) 'BEGIN {printf "%.3f", (h + m > 0 ? h / (h + m) : 0)}')"
  printf '%-6s %12s %10s %8s %8s\n' "$s" "$rps" "$ratio" "$p50" "$p99"
  printf '%s\n    {"scheduler": "%s", "requests_per_s": %s, "hit_ratio": %s, "hits": %s, "misses": %s, "p50": "%s", "p99": "%s"}' \
    "$sep" "$s" "$rps" "$ratio" $((h1 - h0)) $((m1 - m0)) "$p50" "$p99" >>"$json"
  sep=","
  printf 'hit ratio %%\t%s\t%s\n' "$s" "$(awk -v r="$ratio" 'BEGIN {print 100 * r}')" >>"$WORK/chart.tsv"
  printf 'requests/s / 100\t%s\t%s\n' "$s" "$(awk -v r="$rps" 'BEGIN {print r / 100}')" >>"$WORK/chart.tsv"
done
printf '\n  ]\n}\n' >>"$json"
awk -F'\t' -v title="Locality: Zipf over $TARGETS objects, 4 servers x $CAPACITY-object caches (bench/l7-locality.sh)" \
  -v unit="hit ratio in %, requests/s in hundreds" -f "$HERE/bench/barchart.awk" "$WORK/chart.tsv" >"$OUT/locality.svg"
echo "results: $json, $OUT/locality.svg"
