#!/usr/bin/env bash
# What /metrics costs the socket engine: two identical JVS directors side by side, one without a metrics:
# section and one with it, scraped the whole time every SCRAPE_MS (default 1000 ms: fifteen times as often
# as Prometheus' default 15 s, a deliberately heavy scraper). Same three nginx backends, same wrk
# client; both directors on CPU 0, loaded one at a time, client and backends on CPU 1. The runs alternate
# (off, on, off, on, ...) so that drift on a shared machine hits both alike. Reports requests/s, p99 and CPU
# per request for keep-alive and Connection: close, and the ratio on/off.
# Everything listens on 127.0.0.1 and is stopped at the end, also on failure.
#
# usage: bench/metrics-cost.sh [SECONDS per run, default 10] [ROUNDS, default 3]
#        env: WARM (warm-up seconds per run, default 10), CONNS (default 50), SCRAPE_MS, OUT (default .bench/metrics)
# Writes OUT/metrics-cost.json, OUT/metrics-cost.tsv and OUT/metrics-cost.svg.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-10}"
ROUNDS="${2:-3}"
WARM="${WARM:-10}"
CONNS="${CONNS:-50}"
SCRAPE_MS="${SCRAPE_MS:-1000}"
OUT="${OUT:-$HERE/.bench/metrics}"
WORK="$(mktemp -d /tmp/jvs-metrics-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/backends.pid" ] && kill "$(cat "$WORK/backends.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/bench/lib.sh"
for tool in nginx wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light wrk curl)" >&2; exit 2; }
done
mkdir -p "$OUT"

nginx_backends "$WORK" 19101 19102 19103

config() { # port socket [metrics port]
  cat <<CONF
director:
  control_socket: $2
  conn_table_size: 262144
services:
  - address: 127.0.0.1
    port: $1
    scheduler: rr
    engine: socket
    health_check: {type: tcp, delay_loop: 2s}
    real_servers:
      - {address: 127.0.0.1, port: 19101, method: nat}
      - {address: 127.0.0.1, port: 19102, method: nat}
      - {address: 127.0.0.1, port: 19103, method: nat}
CONF
  [ -n "${3:-}" ] && printf 'metrics:\n  listen: 127.0.0.1:%s\n' "$3"
  return 0
}
config 18181 "$WORK/off.sock" >"$WORK/off.yaml"
config 18182 "$WORK/on.sock" 19400 >"$WORK/on.yaml"
taskset -c 0 env JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/off.yaml" >"$WORK/off.log" 2>&1 &
PIDS+=($!)
taskset -c 0 env JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/on.yaml" >"$WORK/on.log" 2>&1 &
PIDS+=($!)
for p in 19101 19102 19103 18181 18182 19400; do wait_port "$p"; done

# The scraper: a bounded loop (it ends with this script), one full scrape every SCRAPE_MS on CPU 1.
scrapes="$WORK/scrapes"
(
  end=$(( $(date +%s) + 24 * 3600 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -w '%{size_download} %{time_total}\n' http://127.0.0.1:19400/metrics >>"$scrapes" || true
    sleep "$(awk -v m="$SCRAPE_MS" 'BEGIN {print m / 1000}')"
  done
) &
PIDS+=($!)

run() { # port mode -> "rps p99_ms cpu_us_per_request"
  local port="$1" extra=()
  [ "$2" = close ] && extra=(-H "Connection: close")
  local pid; pid="$(pids_on_port "$port")"
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$WARM"s "${extra[@]}" "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  local hz; hz="$(getconf CLK_TCK)"
  local c0; c0="$(cpu_of "$pid")"
  local out; out="$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "${extra[@]}" "http://127.0.0.1:$port/")"
  local c1; c1="$(cpu_of "$pid")"
  local reqs; reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  local rps; rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  local p99; p99="$(ms_at 99% "$out")"
  local us; us="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v q="$reqs" 'BEGIN {printf "%.1f", (q > 0 ? 1e6*(b-a)/hz/q : 0)}')"
  echo "$rps $p99 $us"
}

json="$OUT/metrics-cost.json"
: >"$OUT/metrics-cost.tsv"
printf '{\n  "bench": "metrics-cost", "seconds": %s, "rounds": %s, "connections": %s, "scrape_ms": %s,\n  "runs": [\n' \
  "$DUR" "$ROUNDS" "$CONNS" "$SCRAPE_MS" >"$json"
printf '%-10s %-6s %5s %12s %8s %10s\n' mode metrics round "requests/s" "p99 ms" "CPU us/req"
declare -A SUM
sep=""
for mode in keepalive close; do
  for r in $(seq 1 "$ROUNDS"); do
    for side in off:18181 on:18182; do
      name="${side%%:*}"; port="${side##*:}"
      read -r rps p99 us <<<"$(run "$port" "$mode")"
      printf '%-10s %-6s %5s %12s %8s %10s\n' "$mode" "$name" "$r" "$rps" "$p99" "$us"
      SUM["$mode.$name"]="$(awk -v a="${SUM[$mode.$name]:-0}" -v b="$rps" 'BEGIN {print a + b}')"
      SUM["$mode.$name.us"]="$(awk -v a="${SUM[$mode.$name.us]:-0}" -v b="$us" 'BEGIN {print a + b}')"
      printf '%s    {"mode": "%s", "metrics": "%s", "round": %s, "rps": %s, "p99_ms": %s, "cpu_us_per_request": %s}' \
        "$sep" "$mode" "$name" "$r" "$rps" "$p99" "$us" >>"$json"
      sep=$',\n'
    done
  done
done
n="$(wc -l <"$scrapes")"
read -r bytes secs <<<"$(awk '{b += $1; t += $2} END {if (NR) printf "%.0f %.4f", b / NR, t / NR; else print "0 0"}' "$scrapes")"
printf '\n  ],\n  "scrapes": %s, "scrape_bytes": %s, "scrape_seconds_mean": %s,\n  "ratios": {' "$n" "$bytes" "$secs" >>"$json"
echo
sep=""
for mode in keepalive close; do
  ratio="$(awk -v on="${SUM[$mode.on]}" -v off="${SUM[$mode.off]}" 'BEGIN {printf "%.3f", on / off}')"
  cpu="$(awk -v on="${SUM[$mode.on.us]}" -v off="${SUM[$mode.off.us]}" 'BEGIN {printf "%.3f", (off > 0 ? on / off : 0)}')"
  printf '%-10s metrics on/off: requests/s %s, CPU per request %s\n' "$mode" "$ratio" "$cpu"
  printf '%s"%s": {"rps_on_over_off": %s, "cpu_per_request_on_over_off": %s}' "$sep" "$mode" "$ratio" "$cpu" >>"$json"
  sep=", "
  for side in off on; do
    printf '%s\t%s\t%s\n' "$mode" "metrics $side" "$(awk -v s="${SUM[$mode.$side]}" -v r="$ROUNDS" 'BEGIN {printf "%.0f", s / r}')" >>"$OUT/metrics-cost.tsv"
  done
done
printf '}\n}\n' >>"$json"
echo "scrapes during the runs: $n, $bytes bytes each, $secs s each (curl's total time)"
awk -F'\t' -v title="Socket engine with and without /metrics scraped every ${SCRAPE_MS} ms (bench/metrics-cost.sh)" \
  -v unit="requests/s (higher is better)" -f "$HERE/bench/barchart.awk" "$OUT/metrics-cost.tsv" >"$OUT/metrics-cost.svg"
echo "results: $json, $OUT/metrics-cost.svg"
