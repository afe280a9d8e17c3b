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
