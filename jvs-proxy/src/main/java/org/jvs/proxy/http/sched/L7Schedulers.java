package org.jvs.proxy.http.sched;

import java.util.List;
import org.jvs.core.time.Clock;

/** Builds a layer-7 scheduler from its name and options; a clear error for anything unknown. */
public final class L7Schedulers {

    /** Targets an LBLC/LBLCR table keeps (set-associative; the idlest make way). */
    public static final int DEFAULT_TARGETS = 65536;
    /** Idle time after which a target is forgotten (IPVS' lblc default is 24 h; a day of a cache's life). */
    public static final long DEFAULT_EXPIRE_NANOS = 24 * 3600 * 1_000_000_000L;

    public static final List<String> NAMES = List.of("rr", "wrr", "lc", "wlc", "sh", "lblc", "lblcr", "content", "content-lblcr");

    /**
     * @param rules          content rules (content, content-lblcr only)
     * @param defaultServers the default server set as bits (0: all servers)
     * @param shKey          what sh hashes (null: the source address)
     */
    public record Options(List<ContentRule> rules, long defaultServers, StickyHash.Key shKey, int targets, long kNanos,
                          long expireNanos) {
        public static final Options DEFAULT = new Options(List.of(), 0, null, DEFAULT_TARGETS, Lblcr.DEFAULT_K_NANOS,
                DEFAULT_EXPIRE_NANOS);

        public Options {
            rules = List.copyOf(rules);
        }
    }

    private L7Schedulers() {
    }

    public static RequestScheduler create(String name, ServerSet servers, Options o, Clock clock) {
        if (!o.rules().isEmpty() && !name.equals("content") && !name.equals("content-lblcr")) {
            throw new IllegalArgumentException("scheduler " + name + " does not use content rules (content, content-lblcr do)");
        }
        return switch (name) {
            case "rr" -> new RoundRobin(servers);
            case "wrr" -> new WeightedRoundRobin(servers);
            case "lc" -> new LeastConnection(servers);
            case "wlc" -> new WeightedLeastConnection(servers);
            case "sh" -> new StickyHash(servers, o.shKey() == null ? new StickyHash.Source() : o.shKey());
            case "lblc" -> new Lblc(servers, o.targets(), o.expireNanos(), clock);
            case "lblcr" -> new Lblcr(servers, o.targets(), o.kNanos(), o.expireNanos(), clock);
            case "content" -> new ContentBased(servers, o.rules(), o.defaultServers());
            case "content-lblcr" -> new ContentLblcr(servers, o.rules(), o.defaultServers(), o.targets(), o.kNanos(),
                    o.expireNanos(), clock);
            default -> throw new IllegalArgumentException("unknown layer-7 scheduler '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }
}
