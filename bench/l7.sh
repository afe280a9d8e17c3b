#!/usr/bin/env bash
# Side-by-side layer-7 benchmark on loopback: the JVS http engine vs HAProxy (mode http) vs nginx
# (proxy_pass, upstream keepalive) vs Squid (accelerator mode, caching off), all round robin over the
# same three nginx backends, the same wrk client, each director pinned to CPU 0 and the client and
# backends to CPU 1 (as bench/socket-engine.sh). Cases: a tiny body and 10 KB responses (the thesis'
# table 6.1 size), client keep-alive and "Connection: close". Reports requests/s, p50/p99 latency, the
# director's CPU and CPU microseconds per request, and the ratios to HAProxy, nginx and Squid.
# Writes OUT/l7.json (every figure), OUT/l7.tsv, OUT/l7-rps.svg and OUT/l7-cpu.svg.
# Everything listens on 127.0.0.1 and is stopped at the end, also on failure.
#
# usage: bench/l7.sh [SECONDS per run, default 10] [CONNECTIONS, default 50]
#        env: WARM (warm-up seconds per run, default 20), OUT (default .bench/l7), SIZES ("tiny 10k"),
#             MODES ("keepalive close"), DIRECTORS ("jvs haproxy nginx squid")
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-10}"
CONNS="${2:-50}"
WARM="${WARM:-20}"
OUT="${OUT:-$HERE/.bench/l7}"
SIZES="${SIZES:-tiny 10k}"
MODES="${MODES:-keepalive close}"
DIRECTORS="${DIRECTORS:-jvs haproxy nginx squid}"
WORK="$(mktemp -d /tmp/jvs-bench-l7.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for f in backends nginx-proxy; do [ -f "$WORK/$f.pid" ] && kill "$(cat "$WORK/$f.pid")" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/bench/lib.sh"
for tool in nginx haproxy squid wrk taskset ss; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light haproxy squid wrk util-linux iproute2)" >&2; exit 2; }
done
mkdir -p "$OUT"

# --- three backends (one nginx, three ports), on CPU 1 -------------------------------------------------
mkdir -p "$WORK/www"
head -c 10240 /dev/zero | tr '\0' 'x' >"$WORK/www/10k"
cat > "$WORK/backends.conf" <<CONF
worker_processes 1;
pid $WORK/backends.pid;
error_log $WORK/backends.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  server { listen 127.0.0.1:19001; root $WORK/www; location / { return 200 "backend 1\n"; } location = /10k { } }
  server { listen 127.0.0.1:19002; root $WORK/www; location / { return 200 "backend 2\n"; } location = /10k { } }
  server { listen 127.0.0.1:19003; root $WORK/www; location / { return 200 "backend 3\n"; } location = /10k { } }
}
CONF
taskset -c 1 nginx -c "$WORK/backends.conf" -p "$WORK" -e "$WORK/backends.err"

# --- the directors, on CPU 0 ---------------------------------------------------------------------------
declare -A PORT=([jvs]=18181 [haproxy]=18182 [nginx]=18183 [squid]=18184)
cat > "$WORK/jvs.yaml" <<CONF
director:
  control_socket: $WORK/jvs.sock
services:
  - address: 127.0.0.1
    port: ${PORT[jvs]}
    engine: http
    scheduler: rr
    real_servers:
      - {address: 127.0.0.1, port: 19001, method: nat}
      - {address: 127.0.0.1, port: 19002, method: nat}
      - {address: 127.0.0.1, port: 19003, method: nat}
CONF
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
listen l7
  bind 127.0.0.1:${PORT[haproxy]}
  balance roundrobin
  http-reuse always
  server b1 127.0.0.1:19001
  server b2 127.0.0.1:19002
  server b3 127.0.0.1:19003
CONF
cat > "$WORK/nginx-proxy.conf" <<CONF
worker_processes 1;
pid $WORK/nginx-proxy.pid;
error_log $WORK/nginx-proxy.err warn;
events { worker_connections 20000; }
http {
  access_log off;
  upstream be { server 127.0.0.1:19001; server 127.0.0.1:19002; server 127.0.0.1:19003; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${PORT[nginx]};
    keepalive_requests 1000000;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
mkdir -p "$WORK/squid" && chown proxy "$WORK/squid" 2>/dev/null || chmod 777 "$WORK/squid"
cat > "$WORK/squid.conf" <<CONF
http_port 127.0.0.1:${PORT[squid]} accel defaultsite=127.0.0.1 no-vhost
cache_peer 127.0.0.1 parent 19001 0 no-query originserver round-robin name=b1
cache_peer 127.0.0.1 parent 19002 0 no-query originserver round-robin name=b2
cache_peer 127.0.0.1 parent 19003 0 no-query originserver round-robin name=b3
http_access allow all
cache deny all
access_log none
cache_log $WORK/squid/cache.log
pid_filename $WORK/squid/squid.pid
coredump_dir $WORK/squid
visible_hostname jvs-bench
forwarded_for delete
via off
shutdown_lifetime 0 seconds
max_filedescriptors 20000
CONF

for d in $DIRECTORS; do
  case "$d" in
    jvs) taskset -c 0 env JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/jvs.yaml" >"$WORK/jvs.log" 2>&1 & PIDS+=($!) ;;
    haproxy) taskset -c 0 haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 & PIDS+=($!) ;;
    nginx) taskset -c 0 nginx -c "$WORK/nginx-proxy.conf" -p "$WORK" -e "$WORK/nginx-proxy.err" ;;
    squid) taskset -c 0 squid -N -f "$WORK/squid.conf" >"$WORK/squid.log" 2>&1 & PIDS+=($!) ;;
    *) echo "unknown director $d (jvs haproxy nginx squid)" >&2; exit 2 ;;
  esac
done

for p in 19001 19002 19003; do wait_port "$p"; done
for d in $DIRECTORS; do wait_port "${PORT[$d]}"; done


# wrk is a closed loop: at saturation its latency is connections / throughput, so p50 is printed beside
# p99 to tell the tail's shape from the throughput.
run() { # port path mode -> "rps p50_ms p99_ms cpu_pct cpu_us_per_request errors"
  local port="$1" path="$2" extra=()
  [ "$3" = close ] && extra=(-H "Connection: close")
  local pid; pid="$(pids_on_port "$port")"
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$WARM"s "${extra[@]}" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
  local hz; hz="$(getconf CLK_TCK)"
  local c0; c0="$(cpu_of "$pid")"
  local out; out="$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "${extra[@]}" "http://127.0.0.1:$port$path")"
  local c1; c1="$(cpu_of "$pid")"
  local reqs; reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  local rps; rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  local errs; errs="$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out" | tr '\n' ' ' | tr -s ' ')"
  local cpu; cpu="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v d="$DUR" 'BEGIN {printf "%.0f", 100*(b-a)/hz/d}')"
  local us; us="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v q="$reqs" 'BEGIN {printf "%.1f", (q > 0 ? 1e6*(b-a)/hz/q : 0)}')"
  echo "$rps $(ms_at 50% "$out") $(ms_at 99% "$out") $cpu $us ${errs:-none}"
}

: >"$OUT/l7.tsv"
json="$OUT/l7.json"
{
  printf '{\n  "benchmark": "l7", "date": "%s", "seconds": %s, "connections": %s, "warmup_seconds": %s,\n' "$(date -u +%FT%TZ)" "$DUR" "$CONNS" "$WARM"
  printf '  "versions": {"haproxy": "%s", "nginx": "%s", "squid": "%s", "wrk": "%s"},\n' \
    "$(haproxy -v | awk 'NR==1 {print $3}')" "$(nginx -v 2>&1 | awk -F/ '{print $2}')" "$(squid -v | awk 'NR==1 {print $4}')" "$(wrk -v 2>&1 | awk 'NR==1 {print $2}')"
  printf '  "runs": ['
} >"$json"
sep=""
printf '%-8s %-6s %-10s %12s %8s %8s %6s %10s  %s\n' director size mode "requests/s" "p50 ms" "p99 ms" "CPU %" "CPU us/req" "errors"
declare -A R
for size in $SIZES; do
  path=/; [ "$size" = 10k ] && path=/10k
  for mode in $MODES; do
    for d in $DIRECTORS; do
      read -r rps p50 p99 cpu us errs <<<"$(run "${PORT[$d]}" "$path" "$mode")"
      R["$d.$size.$mode"]="$rps"; R["$d.$size.$mode.p99"]="$p99"; R["$d.$size.$mode.us"]="$us"
      printf '%-8s %-6s %-10s %12s %8s %8s %6s %10s  %s\n' "$d" "$size" "$mode" "$rps" "$p50" "$p99" "$cpu" "$us" "$errs"
      printf '%s %s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$size" "$d" "$rps" "$us" "$p50" "$p99" >>"$OUT/l7.tsv"
      printf '%s\n    {"director": "%s", "size": "%s", "mode": "%s", "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "cpu_pct": %s, "cpu_us_per_request": %s, "errors": "%s"}' \
        "$sep" "$d" "$size" "$mode" "$rps" "$p50" "$p99" "$cpu" "$us" "$errs" >>"$json"
      sep=","
    done
  done
done
printf '\n  ]\n}\n' >>"$json"

echo
for size in $SIZES; do
  for mode in $MODES; do
    line="$(printf '%-4s %-9s' "$size" "$mode")"
    for peer in haproxy nginx squid; do
      [ -n "${R[jvs.$size.$mode]:-}" ] && [ -n "${R[$peer.$size.$mode]:-}" ] || continue
      line+="$(awk -v j="${R[jvs.$size.$mode]}" -v p="${R[$peer.$size.$mode]}" -v jp="${R[jvs.$size.$mode.p99]}" -v pp="${R[$peer.$size.$mode.p99]}" \
        -v ju="${R[jvs.$size.$mode.us]}" -v pu="${R[$peer.$size.$mode.us]}" -v n="$peer" \
        'BEGIN {printf "  /%s req/s %.2f p99 %.2f CPU/req %.2f", n, j/p, (pp > 0 ? jp/pp : 0), (pu > 0 ? ju/pu : 0)}')"
    done
    echo "$line"
  done
done
awk -F'\t' '{print $1 "\t" $2 "\t" $3}' "$OUT/l7.tsv" | awk -F'\t' -v title="Layer-7 requests/s, director on one core (bench/l7.sh)" -v unit="requests/s (higher is better)" -f "$HERE/bench/barchart.awk" >"$OUT/l7-rps.svg"
awk -F'\t' '{print $1 "\t" $2 "\t" $4}' "$OUT/l7.tsv" | awk -F'\t' -v title="Layer-7 director CPU per request (bench/l7.sh)" -v unit="CPU microseconds per request (lower is better)" -f "$HERE/bench/barchart.awk" >"$OUT/l7-cpu.svg"
echo "results: $json, $OUT/l7-rps.svg, $OUT/l7-cpu.svg"
