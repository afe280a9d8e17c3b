package org.jvs.proxy.http.sched;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code sh} per request over a key the request carries: the client's source address, a header's value
 * or a cookie's value. Weighted rendezvous hashing, so a key keeps its server while that server is
 * usable, and only the keys of a server that leaves move. A request without the key falls back to its
 * source address.
 */
public final class StickyHash implements RequestScheduler {

    /** What the hash is taken over. */
    public sealed interface Key permits Source, Header, Cookie {
    }

    public record Source() implements Key {
    }

    public record Header(String name) implements Key {
    }

    public record Cookie(String name) implements Key {
    }

    private static final byte[] COOKIE = "cookie".getBytes(StandardCharsets.US_ASCII);

    private final ServerSet servers;
    private final Key key;
    private final byte[] keyName;

    public StickyHash(ServerSet servers, Key key) {
        this.servers = servers;
        this.key = key;
        this.keyName = switch (key) {
            case Source s -> null;
            case Header h -> h.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            case Cookie c -> c.name().getBytes(StandardCharsets.US_ASCII);
        };
    }

    @Override
    public String name() {
        return "sh";
    }

    @Override
    public L7Server pick(L7Request request) {
        long h = switch (key) {
            case Source s -> 0;
            case Header hd -> request.head.headerHash(keyName);
            case Cookie c -> request.head.cookieHash(COOKIE, keyName);
        };
        if (h == 0) {
            h = request.sourceHash;
        }
        L7Server best = null;
        double bestScore = 0;
        for (int i = 0; i < servers.size(); i++) {
            L7Server s = servers.get(i);
            if (!s.usable()) {
                continue;
            }
            double u = ((mix(h ^ (0x9E3779B97F4A7C15L * (i + 1))) >>> 11) + 1) * 0x1.0p-53;
            double score = s.weight() / -Math.log(u);
            if (best == null || score > bestScore) {
                best = s;
                bestScore = score;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
