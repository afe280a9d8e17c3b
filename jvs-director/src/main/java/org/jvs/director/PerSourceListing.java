package org.jvs.director;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jvs.cli.JsonWriter;
import org.jvs.core.model.ServiceKey;
import org.jvs.proxy.SourceLimiter;

/**
 * The per-source connection limits ({@code max_conn_per_source}) beside IPVS' defences in {@code jvsadm
 * --defense} and {@code GET /v1/defense}: the core knows nothing of them (they live in the socket and http
 * engines), so the director adds them to what the core's listing says.
 */
final class PerSourceListing {
    private PerSourceListing() {
    }

    private record Row(ServiceKey key, String engine, SourceLimiter limiter) {
    }

    /** Services with a limit set, or with connections refused by one set before. */
    private static Map<ServiceKey, Row> rows(Director d) {
        Map<ServiceKey, Row> rows = new LinkedHashMap<>();
        for (DataPlane p : d.planes()) {
            switch (p) {
                case SocketPlane s -> d.loadBalancer().services().forEach(svc -> {
                    SourceLimiter l = s.engine().sourceLimiter(svc.key());
                    if (l != null && (l.limit() > 0 || l.refused() > 0)) {
                        rows.put(svc.key(), new Row(svc.key(), "socket", l));
                    }
                });
                case HttpPlane h -> h.engines().forEach((k, e) -> {
                    SourceLimiter l = e.sourceLimiter();
                    if (l.limit() > 0 || l.refused() > 0) {
                        rows.put(k, new Row(k, "http", l));
                    }
                });
                default -> {
                }
            }
        }
        return rows;
    }

    /** Comment lines for the text listing, one per limited service. */
    static String text(Director d) {
        StringBuilder b = new StringBuilder();
        for (Row r : rows(d).values()) {
            b.append(String.format(Locale.ROOT, "# max_conn_per_source %s (%s engine): %s, %d sources counted, %d refused%n",
                    r.key(), r.engine(), r.limiter().limit() == 0 ? "none now" : r.limiter().limit(),
                    r.limiter().sources(), r.limiter().refused()));
        }
        return b.toString();
    }

    /** The {@code per_source} member of the defence listing's JSON. */
    static void json(Director d, JsonWriter w) {
        w.name("per_source").beginArray();
        for (Row r : rows(d).values()) {
            w.beginObject().field("service", r.key().toString()).field("engine", r.engine())
                    .field("max_conn", r.limiter().limit()).field("sources", r.limiter().sources())
                    .field("refused", r.limiter().refused()).endObject();
        }
        w.endArray();
    }

    /** The whole defence listing as JSON: the core's defences and tables, then the per-source limits. */
    static String defenseJson(Director d) {
        return org.jvs.cli.JsonFormat.defense(d.loadBalancer(), w -> json(d, w));
    }
}
