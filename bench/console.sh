#!/usr/bin/env bash
# The console in a browser, beside HAProxy's stats page: one headless Chromium (Debian's, through its
# chromedriver) loads each page ROUNDS times and times how long a change takes to show. Same three nginx
# backends behind both, both pages on HTTPS with the same certificate (the director's self-signed one), both
# changes made outside the browser (JVS: POST /v1/servers/weight on the control socket; HAProxy: "set server
# ... state maint" on its runtime API). HAProxy's page has no live updates: it reloads itself every
# `stats refresh` (1 s here, as low as it goes), so its latency is that refresh plus a page load; the JVS page
# is pushed the change by its event stream. HAProxy's page has no login, the JVS page's session is opened once
# before the timed loads. Everything listens on 127.0.0.1 and is stopped at the end, also on failure.
#
# usage: bench/console.sh [ROUNDS, default 10]      env: OUT (default .bench/console)
# Writes OUT/console.json and OUT/console.svg.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-10}"
OUT="${OUT:-$HERE/.bench/console}"
WORK="$(mktemp -d /tmp/jvs-console-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/backends.pid" ] && kill "$(cat "$WORK/backends.pid")" 2>/dev/null || true
  [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/bench/lib.sh"
for tool in nginx haproxy chromium chromedriver curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light haproxy chromium chromium-driver curl python3)" >&2; exit 2; }
done
mkdir -p "$OUT"
"$HERE/bin/jvs" build >/dev/null

nginx_backends "$WORK" 19101 19102 19103
PASSWORD="bench-console-password"
USER_LINE="$(printf '%s\n' "$PASSWORD" | "$HERE/bin/jvs" passwd bench | tail -1)"
cat >"$WORK/jvs.yaml" <<CONF
director:
  control_socket: $WORK/jvs.sock
services:
  - name: bench
    address: 127.0.0.1
    port: 18191
    scheduler: rr
    health_check: {type: http, path: /, delay_loop: 2s}
    real_servers:
      - {address: 127.0.0.1, port: 19101, method: nat}
      - {address: 127.0.0.1, port: 19102, method: nat}
      - {address: 127.0.0.1, port: 19103, method: nat}
console:
  listen: 127.0.0.1:19444
  state_dir: $WORK
  users:
$USER_LINE
CONF
JVS_HOME="$HERE" "$HERE/bin/jvs" director --config "$WORK/jvs.yaml" >"$WORK/jvs.log" 2>&1 &
PIDS+=($!)
wait_port 19444 || { cat "$WORK/jvs.log" >&2; exit 1; }

cat "$WORK/jvs-api.crt" "$WORK/jvs-api.key" >"$WORK/console.pem"
cat >"$WORK/haproxy.cfg" <<CONF
global
  pidfile $WORK/haproxy.pid
  stats socket $WORK/haproxy.sock mode 600 level admin
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend stats
  bind 127.0.0.1:19445 ssl crt $WORK/console.pem
  stats enable
  stats uri /
  stats refresh 1s
frontend fe
  bind 127.0.0.1:18190
  default_backend be
backend be
  balance roundrobin
  server s1 127.0.0.1:19101 check
  server s2 127.0.0.1:19102 check
  server s3 127.0.0.1:19103 check
CONF
haproxy -D -f "$WORK/haproxy.cfg"
wait_port 19445

cat >"$WORK/bench.json" <<CONF
{"rounds": $ROUNDS, "profile": "$WORK/chromium", "user": "bench", "password": "$PASSWORD",
 "jvs_url": "https://127.0.0.1:19444/", "jvs_socket": "$WORK/jvs.sock", "jvs_service": "tcp 127.0.0.1:18191",
 "jvs_server": "127.0.0.1:19103", "jvs_row": "tcp 127.0.0.1:18191|127.0.0.1:19103",
 "haproxy_url": "https://127.0.0.1:19445/", "haproxy_socket": "$WORK/haproxy.sock", "haproxy_refresh_s": 1}
CONF
echo "console bench: $ROUNDS page loads and $ROUNDS changes on each page..." >&2
python3 "$HERE/bench/console_browser.py" "$WORK/bench.json" >"$OUT/console.json"
python3 - "$OUT/console.json" >"$WORK/chart.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for group, key in (("page load", "page_load_ms"), ("change on screen", "update_latency_ms")):
    print("%s (median ms)\tJVS console\t%s" % (group, r["jvs"][key]["median"]))
    print("%s (median ms)\tHAProxy stats page\t%s" % (group, r["haproxy"][key]["median"]))
PY
awk -F'\t' -v title="Console in Chromium: JVS vs HAProxy's stats page" -v unit="milliseconds (lower is better)" \
  -f "$HERE/bench/barchart.awk" "$WORK/chart.tsv" >"$OUT/console.svg"
cat "$OUT/console.json"
echo "results: $OUT/console.json, $OUT/console.svg"
