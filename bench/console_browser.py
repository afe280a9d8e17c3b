#!/usr/bin/env python3
"""Drives Debian's Chromium through chromedriver (the W3C WebDriver protocol, plain HTTP) for bench/console.sh:
page load and change-to-screen latency of the JVS console and of HAProxy's stats page, in one browser, one run.

Both pages are measured the same way: page load from the Navigation Timing entry (navigation start to the load
event); update latency from the moment a change is made outside the browser (JVS: the control API on its Unix
socket; HAProxy: its runtime API socket) to the moment the page shows it, polled through WebDriver every 10 ms.

usage: console_browser.py CONFIG.json  ->  prints one JSON object
"""
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["value"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Browser:
    def __init__(self, profile):
        self.port = free_port()
        self.proc = subprocess.Popen(["chromedriver", "--port=%d" % self.port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                call(self.base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "acceptInsecureCerts": True, "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--user-data-dir=" + profile, "--no-first-run", "--disable-background-networking"]}}}}
        self.session = call(self.base, "POST", "/session", caps)["sessionId"]
        self.s = "/session/" + self.session

    def go(self, url):
        call(self.base, "POST", self.s + "/url", {"url": url})

    def js(self, script, *args):
        return call(self.base, "POST", self.s + "/execute/sync", {"script": script, "args": list(args)})

    def until(self, script, *args, timeout=20.0, every=0.01):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                v = self.js(script, *args)
            except urllib.error.HTTPError:
                v = None  # the page is between two documents (HAProxy's refresh navigates): ask again
            if v:
                return v
            time.sleep(every)
        raise SystemExit("timed out waiting for: " + script)

    def close(self):
        try:
            call(self.base, "DELETE", self.s)
        finally:
            self.proc.terminate()
            self.proc.wait(10)


LOAD = "const n = performance.getEntriesByType('navigation')[0]; return n && n.loadEventEnd > 0 ? n.loadEventEnd - n.startTime : null"


def unix_post(sock, path, body):
    out = subprocess.run(["curl", "-sf", "--unix-socket", sock, "-X", "POST", "http://jvs" + path, "-d", json.dumps(body)],
                         capture_output=True, text=True, check=True)
    return out.stdout


def haproxy_cmd(sock, line):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((line + "\n").encode())
    s.recv(4096)
    s.close()


def stats(values):
    v = sorted(values)
    return {"median": round(v[len(v) // 2], 1), "min": round(v[0], 1), "max": round(v[-1], 1), "samples": [round(x, 1) for x in values]}


def main():
    cfg = json.load(open(sys.argv[1]))
    n = cfg["rounds"]
    b = Browser(cfg["profile"])
    try:
        # --- JVS console: log in once, then reload (the session cookie stays) and time each load
        b.go(cfg["jvs_url"])
        b.until("return !document.getElementById('login').hidden")
        b.js("document.getElementById('user').value = arguments[0]; document.getElementById('password').value = arguments[1];"
             " document.getElementById('login-button').click()", cfg["user"], cfg["password"])
        b.until("return window.jvs.firstRenderMs !== null")
        jvs_load, jvs_first, jvs_update = [], [], []
        for _ in range(n):
            b.go(cfg["jvs_url"])
            b.until("return window.jvs && window.jvs.firstRenderMs !== null")
            jvs_load.append(b.until(LOAD))
            jvs_first.append(b.js("return window.jvs.firstRenderMs"))
        cell = "const c = document.querySelector('tr[data-server=\"' + arguments[0] + '\"] .c-configured'); return c ? c.textContent : null"
        b.until(cell, cfg["jvs_row"])
        for k in range(n):
            w = 2 + (k % 2)
            t0 = time.monotonic()
            unix_post(cfg["jvs_socket"], "/v1/servers/weight", {"service": cfg["jvs_service"], "server": cfg["jvs_server"], "weight": w})
            b.until("const c = document.querySelector('tr[data-server=\"' + arguments[0] + '\"] .c-configured');"
                    " return c !== null && c.textContent === arguments[1]", cfg["jvs_row"], str(w))
            jvs_update.append((time.monotonic() - t0) * 1000)
        unix_post(cfg["jvs_socket"], "/v1/servers/weight", {"service": cfg["jvs_service"], "server": cfg["jvs_server"], "weight": 1})

        # --- HAProxy's stats page: the same loads; a change is a server put in maintenance on its runtime API
        hap_load, hap_update = [], []
        for _ in range(n):
            b.go(cfg["haproxy_url"])
            hap_load.append(b.until(LOAD))
        count = "return (document.body.innerText.match(/MAINT/g) || []).length"
        for k in range(n):
            b.go(cfg["haproxy_url"])
            b.until(LOAD)
            before = b.until(count + " + 1") - 1  # a count of 0 is an answer too
            state = "maint" if k % 2 == 0 else "ready"
            t0 = time.monotonic()
            haproxy_cmd(cfg["haproxy_socket"], "set server be/s3 state " + state)
            b.until(count + (" > " if state == "maint" else " < ") + "arguments[0]", before, timeout=30)
            hap_update.append((time.monotonic() - t0) * 1000)
        haproxy_cmd(cfg["haproxy_socket"], "set server be/s3 state ready")
    finally:
        b.close()
    version = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    print(json.dumps({
        "browser": version, "rounds": n,
        "jvs": {"page_load_ms": stats(jvs_load), "first_live_state_ms": stats(jvs_first), "update_latency_ms": stats(jvs_update)},
        "haproxy": {"page_load_ms": stats(hap_load), "update_latency_ms": stats(hap_update), "stats_refresh_s": cfg["haproxy_refresh_s"]},
        "ratios": {"page_load_haproxy_over_jvs": round(stats(hap_load)["median"] / stats(jvs_load)["median"], 2),
                   "update_latency_haproxy_over_jvs": round(stats(hap_update)["median"] / stats(jvs_update)["median"], 2)},
    }, indent=1))


if __name__ == "__main__":
    main()
