package org.jvs.director;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jvs.cli.JsonWriter;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.ControlServer;
import org.jvs.proxy.http.HttpEngine;
import org.jvs.proxy.http.HttpStats;
import org.jvs.proxy.http.LatencyHistogram;
import org.jvs.proxy.http.ServerStats;
import org.jvs.proxy.http.sched.L7Server;
import org.jvs.proxy.http.sched.Locality;
import org.jvs.proxy.http.sched.ServerSet;

/**
 * {@code jvsadm -L --l7 [--targets N] [--json]}: every http service's requests, status classes, response
 * times and server connections, per service and per real server, and for lblc, lblcr and content-lblcr the
 * locality hit ratio and the target → server map (busiest targets first), from {@code GET /v1/l7}:
 * <pre>
 * TCP  192.0.2.10:80 lblc  requests 12040  refused 2  retries 0  1xx 0  2xx 11990  3xx 0  4xx 48  5xx 2
 *      response p50 1ms  p99 5ms  connections open 12  pooled 10  opened 14  reused 12026
 *   -> RemoteAddress:Port     Weight InFlight  Low High  Requests   2xx   3xx   4xx   5xx  p50ms  p99ms  Open Pooled
 *   -> 10.0.0.1:80                 1        2   30   60      6020  ...
 *   locality hit 0.973 (hits 11715, new 300, moved 25, shrunk 0)  targets 300
 *   Target                                            Requests    Idle   Same  Servers
 *   /img/logo.png                                         1204    0.1s   3.2s  10.0.0.1:80
 * </pre>
 * Response time quantiles are bucket upper bounds ({@link LatencyHistogram}).
 */
final class L7Listing {
    static final int DEFAULT_TARGETS = 20;
    static final int MAX_TARGETS = 10_000;

    private L7Listing() {
    }

    /** {@code GET /v1/l7[?targets=N]}. */
    static ControlServer.Response response(HttpPlane plane, String query) {
        int targets = DEFAULT_TARGETS;
        for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
            if (!kv.startsWith("targets=")) {
                return ControlServer.Response.error(400, "unknown parameter '" + kv + "' (only targets=N)");
            }
            try {
                targets = Integer.parseInt(kv.substring("targets=".length()));
            } catch (NumberFormatException e) {
                targets = -1;
            }
            if (targets < 0 || targets > MAX_TARGETS) {
                return ControlServer.Response.error(400, "targets must be 0.." + MAX_TARGETS + ", got '" + kv.substring(8) + "'");
            }
        }
        return ControlServer.Response.json(200, json(plane == null ? Map.of() : plane.engines(), targets));
    }

    static String json(Map<ServiceKey, HttpEngine> engines, int targets) {
        JsonWriter w = new JsonWriter().beginObject().name("services").beginArray();
        StringBuilder text = new StringBuilder();
        if (engines.isEmpty()) {
            text.append("No http services (engine: http; see docs/l7.md)\n");
        }
        engines.forEach((key, e) -> service(w, text, key, e, targets));
        w.endArray().name("listing").value(text.toString());
        return w.endObject().toString();
    }

    private static void service(JsonWriter w, StringBuilder t, ServiceKey key, HttpEngine e, int targets) {
        HttpStats st = e.stats();
        ServerSet servers = e.servers();
        long open = 0;
        long pooled = 0;
        List<ServerStats> ss = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            ServerStats s = st.serverStats(servers.get(i).name());
            s = s != null ? s : new ServerStats(); // only between a roster swap and its stats (a moment)
            ss.add(s);
            open += s.open.sum();
            pooled += s.pooled.sum();
        }
        long[] rt = st.responseTime.counts();
        w.beginObject().field("service", key.toString()).field("scheduler", e.scheduler().name())
                .field("requests", st.requests.sum()).field("refused", st.refused.sum()).field("retries", st.retries.sum())
                .field("tunnels", st.tunnels.sum()).field("sessions", e.sessions()).field("in_flight_units", e.inFlight());
        status(w, st.statusClass);
        histogram(w, rt, st.responseTime.sumNanos());
        if (e.tls() != null) {
            w.name("tls").beginObject().field("subject", e.tls().subject()).field("not_after", e.tls().notAfter()).endObject();
        }
        org.jvs.proxy.SourceLimiter lim = e.sourceLimiter();
        if (lim.limit() > 0 || lim.refused() > 0) {
            w.name("per_source").beginObject().field("max_conn", lim.limit()).field("sources", lim.sources())
                    .field("refused", lim.refused()).endObject();
        }
        w.name("connections").beginObject().field("open", open).field("pooled", pooled)
                .field("opened", st.connectionsOpened.sum()).field("reused", st.connectionsReused.sum()).endObject();
        t.append(String.format(Locale.ROOT, "%s %s  requests %d  refused %d  retries %d  tunnels %d %s%n", key.label(),
                e.scheduler().name(), st.requests.sum(), st.refused.sum(), st.retries.sum(), st.tunnels.sum(), classes(st.statusClass)));
        if (e.tls() != null) {
            t.append("     tls ").append(e.tls().subject()).append(", valid until ").append(e.tls().notAfter()).append('\n');
        }
        if (lim.limit() > 0 || lim.refused() > 0) {
            t.append("     max_conn_per_source ").append(lim.limit()).append("  sources ").append(lim.sources())
                    .append("  refused ").append(lim.refused()).append('\n');
        }
        t.append(String.format(Locale.ROOT, "     response p50 %s  p99 %s  clients %d  connections open %d  pooled %d  opened %d  reused %d%n",
                ms(rt, 0.5), ms(rt, 0.99), e.sessions(), open, pooled, st.connectionsOpened.sum(), st.connectionsReused.sum()));
        t.append(String.format(Locale.ROOT, "  -> %-22s %6s %8s %4s %4s %9s %6s %6s %6s %6s %6s %6s %5s %6s%n", "RemoteAddress:Port",
                "Weight", "InFlight", "Low", "High", "Requests", "2xx", "3xx", "4xx", "5xx", "p50ms", "p99ms", "Open", "Pooled"));
        w.name("servers").beginArray();
        for (int i = 0; i < servers.size(); i++) {
            L7Server s = servers.get(i);
            ServerStats c = ss.get(i);
            long[] h = c.responseTime.counts();
            w.beginObject().field("server", s.name()).field("weight", s.weight()).field("in_flight_units", s.conns())
                    .field("low", s.low()).field("high", s.high()).field("requests", c.requests.sum());
            status(w, c.statusClass);
            histogram(w, h, c.responseTime.sumNanos());
            w.field("open", c.open.sum()).field("pooled", c.pooled.sum())
                    .field("opened", c.connectionsOpened.sum()).field("reused", c.connectionsReused.sum()).endObject();
            LongAdder[] sc = c.statusClass;
            t.append(String.format(Locale.ROOT, "  -> %-22s %6d %8d %4d %4d %9d %6d %6d %6d %6d %6s %6s %5d %6d%n", s.name(), s.weight(),
                    s.conns(), s.low(), s.high(), c.requests.sum(), sc[2].sum(), sc[3].sum(), sc[4].sum(), sc[5].sum(),
                    bare(h, 0.5), bare(h, 0.99), c.open.sum(), c.pooled.sum()));
        }
        w.endArray();
        if (e.scheduler() instanceof Locality l) {
            locality(w, t, l, servers, targets);
        }
        w.endObject();
    }

    private static void locality(JsonWriter w, StringBuilder t, Locality l, ServerSet servers, int targets) {
        Locality.Counts c = l.counts();
        int size = l.targets();
        w.name("locality").beginObject().field("hit_ratio", c.hitRatio()).field("hits", c.hits()).field("misses", c.misses())
                .field("moves", c.moves()).field("shrinks", c.shrinks()).field("targets", size).name("busiest").beginArray();
        t.append(String.format(Locale.ROOT, "  locality hit %.3f (hits %d, new %d, moved %d, shrunk %d)  targets %d%n", c.hitRatio(),
                c.hits(), c.misses(), c.moves(), c.shrinks(), size));
        List<Locality.Target> top = l.busiest(targets);
        if (!top.isEmpty()) {
            t.append(String.format(Locale.ROOT, "  %-50s %9s %7s %7s  %s%n", "Target", "Requests", "Idle", "Same", "Servers"));
        }
        for (Locality.Target x : top) {
            List<String> names = new ArrayList<>();
            for (long bits = x.servers(); bits != 0; bits &= bits - 1) {
                int i = Long.numberOfTrailingZeros(bits);
                names.add(i < servers.size() ? servers.get(i).name() : "#" + i);
            }
            w.beginObject().field("path", x.path()).name("servers").beginArray();
            names.forEach(w::value);
            w.endArray().field("requests", x.requests()).field("idle_ms", x.idleNanos() / 1_000_000)
                    .field("unchanged_ms", x.sameNanos() / 1_000_000).endObject();
            t.append(String.format(Locale.ROOT, "  %-50s %9d %7s %7s  %s%n", x.path(), x.requests(), seconds(x.idleNanos()),
                    seconds(x.sameNanos()), String.join(",", names)));
        }
        w.endArray().endObject();
    }

    private static void status(JsonWriter w, LongAdder[] classes) {
        w.name("status").beginObject();
        for (int i = 1; i <= 5; i++) {
            w.field(i + "xx", classes[i].sum());
        }
        w.endObject();
    }

    private static void histogram(JsonWriter w, long[] counts, long sumNanos) {
        w.name("response_time").beginObject().name("bounds_us").beginArray();
        for (long b : LatencyHistogram.BOUNDS_US) {
            w.value(b);
        }
        w.endArray().name("counts").beginArray();
        for (long c : counts) {
            w.value(c);
        }
        w.endArray().field("sum_us", sumNanos / 1000).field("p50_us", LatencyHistogram.quantileUs(counts, 0.5))
                .field("p99_us", LatencyHistogram.quantileUs(counts, 0.99)).endObject();
    }

    private static String classes(LongAdder[] c) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            b.append(' ').append(i).append("xx ").append(c[i].sum());
        }
        return b.toString();
    }

    /** The quantile's bucket bound in ms ("2.5ms": at most 2.5 ms). */
    private static String ms(long[] counts, double q) {
        String v = bare(counts, q);
        return v.equals("-") ? v : v + "ms";
    }

    private static String bare(long[] counts, double q) {
        long us = LatencyHistogram.quantileUs(counts, q);
        if (us < 0) {
            return "-";
        }
        if (us == Long.MAX_VALUE) {
            return ">10000";
        }
        double ms = us / 1000.0;
        return ms < 1 ? String.format(Locale.ROOT, "%.2f", ms) : String.format(Locale.ROOT, "%.0f", ms);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }

    static boolean wants(List<String> argv) {
        return argv.contains("--l7");
    }

    static int run(List<String> argv, org.jvs.director.api.ControlClient.Endpoint socket, PrintStream out, PrintStream err) {
        String query = "";
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--targets") && i + 1 < argv.size()) {
                query = "targets=" + argv.get(++i);
            } else if (!List.of("--l7", "--json", "-L", "-l", "--list", "-n", "--numeric").contains(a)) {
                err.println("jvsadm: --l7 takes only -L, -n, --targets N and --json, not '" + a + "'");
                return 2;
            }
        }
        ControlServer.Response r = ControlClient.callFromCli(socket, "GET", "/v1/l7" + (query.isEmpty() ? "" : "?" + query), null, err);
        if (r == null) {
            return 2;
        }
        Object parsed = ControlClient.answerFromCli(r, err);
        if (parsed == null) {
            return 2;
        }
        if (r.status() != 200) {
            err.println("jvsadm: " + (parsed instanceof Map<?, ?> m && m.get("error") != null ? m.get("error") : "HTTP " + r.status()));
            return r.status() == 400 ? 2 : 1;
        }
        if (argv.contains("--json")) {
            out.println(r.body());
        } else {
            out.print(((Map<?, ?>) parsed).get("listing"));
        }
        return 0;
    }
}
