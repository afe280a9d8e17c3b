package org.jvs.proxy.http.sched;

import java.util.List;

/**
 * A service's real servers for the layer-7 schedulers, with the picks they share: least connection
 * (weighted: the smallest conns/weight, ties to the earlier server) within a bit set of members, and the
 * thesis' imbalance test.
 */
public final class ServerSet {

    private final L7Server[] servers;
    private final long all;

    public ServerSet(List<L7Server> list) {
        if (list.size() > L7Server.MAX_SERVERS) {
            throw new IllegalArgumentException("a layer-7 service has at most " + L7Server.MAX_SERVERS + " servers");
        }
        servers = list.toArray(L7Server[]::new);
        long bits = 0;
        for (int i = 0; i < servers.length; i++) {
            if (servers[i].index() != i) {
                throw new IllegalArgumentException("server " + servers[i].name() + " has index " + servers[i].index() + ", not " + i);
            }
            bits |= 1L << i;
        }
        all = bits;
    }

    public int size() {
        return servers.length;
    }

    public L7Server get(int i) {
        return servers[i];
    }

    /** Every server's bit. */
    public long all() {
        return all;
    }

    /** The usable member of {@code members} with the least weighted load, or null. */
    public L7Server leastLoaded(long members) {
        L7Server best = null;
        long bestConns = 0;
        long bestWeight = 1;
        for (long m = members & all; m != 0; m &= m - 1) {
            L7Server s = servers[Long.numberOfTrailingZeros(m)];
            int w = s.weight();
            if (w <= 0) {
                continue;
            }
            long c = s.conns();
            if (best == null || c * bestWeight < bestConns * w) {
                best = s;
                bestConns = c;
                bestWeight = w;
            }
        }
        return best;
    }

    /** The member of {@code members} with the most weighted load (a quiesced one first), or null when empty. */
    public L7Server mostLoaded(long members, L7Server except) {
        L7Server worst = null;
        long worstConns = 0;
        long worstWeight = 1;
        for (long m = members & all; m != 0; m &= m - 1) {
            L7Server s = servers[Long.numberOfTrailingZeros(m)];
            if (s == except) {
                continue;
            }
            if (s.weight() == 0) {
                return s; // a quiesced member is the first to leave
            }
            long w = s.weight();
            long c = s.conns();
            if (worst == null || c * worstWeight > worstConns * w) {
                worst = s;
                worstConns = c;
                worstWeight = w;
            }
        }
        return worst;
    }

    /** Whether some usable member of {@code members} is below its low threshold. */
    public boolean anyBelowLow(long members) {
        for (long m = members & all; m != 0; m &= m - 1) {
            L7Server s = servers[Long.numberOfTrailingZeros(m)];
            if (s.usable() && s.conns() < s.low()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The thesis' "serious imbalance" (6.3.5): {@code n} is above its high threshold while a node of
     * {@code candidates} is below its low one, or {@code n} is at twice its high threshold.
     */
    public boolean imbalanced(L7Server n, long candidates) {
        int c = n.conns();
        return c > n.high() && anyBelowLow(candidates) || c >= 2 * n.high();
    }

    /** Σ high over usable servers: the thesis' admission limit on requests in flight. */
    public int admissionLimit() {
        int sum = 0;
        for (L7Server s : servers) {
            if (s.usable()) {
                sum += s.high();
            }
        }
        return sum;
    }
}
