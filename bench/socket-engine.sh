#!/usr/bin/env bash
# Side-by-side L4 relay benchmark on loopback: JVS socket engine (epoll, io_uring, splice) vs HAProxy (mode tcp) vs nginx stream.
# Same three nginx backends, same wrk client, each director pinned to CPU 0 and the client and backends
# to CPU 1. Reports requests/s (keep-alive and Connection: close), p99 latency and the director's CPU
# use, and the ratios to HAProxy. Everything listens on 127.0.0.1 and is stopped at the end.
#
# usage: bench/socket-engine.sh [SECONDS per run, default 10] [CONNECTIONS, default 50]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-10}"
CONNS="${2:-50}"
WARM="${WARM:-30}"
WORK="$(mktemp -d /tmp/jvs-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/backends.pid" ] && kill "$(cat "$WORK/backends.pid")" 2>/dev/null || true
  [ -f "$WORK/nginx-stream.pid" ] && kill "$(cat "$WORK/nginx-stream.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/bench/lib.sh"
for tool in nginx haproxy wrk taskset; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light libnginx-mod-stream haproxy wrk)" >&2; exit 2; }
done
NGINX_MODULES=/usr/lib/nginx/modules

# --- three backends (one nginx, three ports), on CPU 1 -------------------------------------------------
cat > "$WORK/backends.conf" <<CONF
worker_processes 1;
pid $WORK/backends.pid;
error_log $WORK/backends.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:19001; location / { return 200 "backend 1\n"; } }
  server { listen 127.0.0.1:19002; location / { return 200 "backend 2\n"; } }
  server { listen 127.0.0.1:19003; location / { return 200 "backend 3\n"; } }
}
CONF
taskset -c 1 nginx -c "$WORK/backends.conf" -p "$WORK" -e "$WORK/backends.err"

# --- the three directors ------------------------------------------------------------------------------
cat > "$WORK/jvs.yaml" <<CONF
director:
  control_socket: $WORK/jvs.sock
  conn_table_size: 262144
services:
  - address: 127.0.0.1
    port: 18081
    scheduler: rr
    engine: socket
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
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen l4
  bind 127.0.0.1:18082
  balance roundrobin
  server b1 127.0.0.1:19001
  server b2 127.0.0.1:19002
  server b3 127.0.0.1:19003
CONF
cat > "$WORK/nginx-stream.conf" <<CONF
load_module $NGINX_MODULES/ngx_stream_module.so;
worker_processes 1;
pid $WORK/nginx-stream.pid;
error_log $WORK/nginx-stream.err warn;
events { worker_connections 20000; }
stream {
  upstream be { server 127.0.0.1:19001; server 127.0.0.1:19002; server 127.0.0.1:19003; }
  server { listen 127.0.0.1:18083; proxy_pass be; }
}
CONF

taskset -c 0 env JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/jvs.yaml" >"$WORK/jvs.log" 2>&1 &
PIDS+=($!)
# The same director on Netty's io_uring transport (JVS_TRANSPORT), on its own port and control socket.
sed -e "s|$WORK/jvs.sock|$WORK/jvs-uring.sock|" -e "s|port: 18081|port: 18084|" "$WORK/jvs.yaml" >"$WORK/jvs-uring.yaml"
taskset -c 0 env JVS_HOME="$HERE" JVS_TRANSPORT=io_uring "$HERE/bin/jvs" director --config "$WORK/jvs-uring.yaml" >"$WORK/jvs-uring.log" 2>&1 &
PIDS+=($!)
# The same director relaying TCP with splice(2) (JVS_SPLICE), on its own port and control socket.
sed -e "s|$WORK/jvs.sock|$WORK/jvs-splice.sock|" -e "s|port: 18081|port: 18085|" "$WORK/jvs.yaml" >"$WORK/jvs-splice.yaml"
taskset -c 0 env JVS_HOME="$HERE" JVS_SPLICE=1 "$HERE/bin/jvs" director --config "$WORK/jvs-splice.yaml" >"$WORK/jvs-splice.log" 2>&1 &
PIDS+=($!)
taskset -c 0 haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
taskset -c 0 nginx -c "$WORK/nginx-stream.conf" -p "$WORK" -e "$WORK/nginx-stream.err"

for p in 19001 19002 19003 18081 18082 18083 18084 18085; do wait_port "$p"; done

# CPU ticks of the JIT compiler threads of those processes (0 for HAProxy and nginx).
jit_of() {
  local t=0 p task
  for p in $1; do
    for task in /proc/"$p"/task/*; do
      case "$(cat "$task/comm" 2>/dev/null)" in C1\ Compiler*|C2\ Compiler*) t=$((t + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0))) ;; esac
    done
  done
  echo "$t"
}


# wrk is a closed loop (each connection sends its next request when the answer is in), so at saturation
# its mean latency is connections / throughput: a slower director has higher latency at every
# percentile. p50 is printed beside p99 so that the tail's shape (p99 / p50) can be told from that.
run() { # name port mode -> "rps p50_ms p99_ms cpu_pct cpu_us_per_request jit_pct"
  local port="$2" extra=()
  [ "$3" = close ] && extra=(-H "Connection: close")
  local pid; pid="$(pids_on_port "$port")"
  # warm-up (JIT, pools), not measured
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$WARM"s "${extra[@]}" "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  local hz; hz="$(getconf CLK_TCK)"
  local c0; c0="$(cpu_of "$pid")"
  local j0; j0="$(jit_of "$pid")"
  local out; out="$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "${extra[@]}" "http://127.0.0.1:$port/")"
  local c1; c1="$(cpu_of "$pid")"
  local j1; j1="$(jit_of "$pid")"
  local reqs; reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  local rps; rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  local p50; p50="$(ms_at 50% "$out")"
  local p99; p99="$(ms_at 99% "$out")"
  local errs; errs="$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out" | tr '\n' ' ')"
  local cpu; cpu="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v d="$DUR" 'BEGIN {printf "%.0f", 100*(b-a)/hz/d}')"
  local us; us="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v q="$reqs" 'BEGIN {printf "%.1f", (q > 0 ? 1e6*(b-a)/hz/q : 0)}')"
  local jit; jit="$(awk -v a="$c0" -v b="$c1" -v x="$j0" -v y="$j1" 'BEGIN {printf "%.0f", (b > a ? 100*(y-x)/(b-a) : 0)}')"
  echo "$rps $p50 $p99 $cpu $us $jit ${errs:-}"
}

printf '%-14s %-10s %12s %8s %8s %8s %10s %6s  %s\n' director mode "requests/s" "p50 ms" "p99 ms" "CPU %" "CPU us/req" "JIT %" "errors"
declare -A R
for mode in keepalive close; do
  for d in jvs:18081 jvs-uring:18084 jvs-splice:18085 haproxy:18082 nginx-stream:18083; do
    name="${d%%:*}"; port="${d##*:}"
    read -r rps p50 p99 cpu us jit errs <<<"$(run "$name" "$port" "$mode")"
    R["$name.$mode"]="$rps"
    R["$name.$mode.p99"]="$p99"
    R["$name.$mode.p50"]="$p50"
    printf '%-14s %-10s %12s %8s %8s %8s %10s %6s  %s\n' "$name" "$mode" "$rps" "$p50" "$p99" "$cpu" "$us" "$jit" "${errs:-}"
  done
done
echo
for mode in keepalive close; do
  for j in jvs jvs-uring jvs-splice; do
    awk -v j="${R[$j.$mode]}" -v h="${R[haproxy.$mode]}" -v n="${R[nginx-stream.$mode]}" -v m="$mode" -v name="$j" \
        -v jp="${R[$j.$mode.p99]}" -v hp="${R[haproxy.$mode.p99]}" -v j50="${R[$j.$mode.p50]}" -v h50="${R[haproxy.$mode.p50]}" \
        'BEGIN {printf "%-10s %-9s /HAProxy %.2f   /nginx-stream %.2f   p99 /HAProxy %.2f   p99/p50 %.1f (HAProxy %.1f)\n", m, name, j/h, j/n, jp/hp, jp/j50, hp/h50}'
  done
done
