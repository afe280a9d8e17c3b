# Shell helpers of the bench scripts (sourced; they expect $WORK, the run's temporary directory).

# Wait until something listens on 127.0.0.1:PORT; otherwise print the run's logs and stop.
wait_port() {
  for _ in $(seq 1 150); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
    sleep 0.2
  done
  echo "port $1 never opened" >&2; cat "$WORK"/*.log "$WORK"/squid/cache.log >&2 2>/dev/null; exit 1
}
# The pids of every process listening on a port (nginx: master and worker; squid: its kid).
pids_on_port() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
# CPU ticks (user+system) of those processes.
cpu_of() { local t=0 p; for p in $1; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
# A percentile of wrk --latency's distribution, in milliseconds.
ms_at() { awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$2"; }

# Three HTTP backends in one nginx on CPU 1, each answering "backend N": nginx_backends WORK PORT1 PORT2 PORT3.
# Its pid file is WORK/backends.pid (the caller's cleanup kills it).
nginx_backends() {
  local work="$1"; shift
  {
    printf 'worker_processes 1;\npid %s/backends.pid;\nerror_log %s/backends.err warn;\n' "$work" "$work"
    printf 'events { worker_connections 4096; }\nhttp {\n  access_log off;\n  keepalive_requests 1000000;\n'
    local i=1 p
    for p in "$@"; do printf '  server { listen 127.0.0.1:%s; location / { return 200 "backend %s\\n"; } }\n' "$p" "$i"; i=$((i + 1)); done
    printf '}\n'
  } >"$work/backends.conf"
  taskset -c 1 nginx -c "$work/backends.conf" -p "$work" -e "$work/backends.err"
}
