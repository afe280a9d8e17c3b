package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * The server comparisons schedulers share, one scan each: least cost under the IPVS metrics (lc, wlc, sed,
 * nq, and the locality and global schedulers' wlc fallback), most loaded (lblcr's shrink), and highest
 * weight (fo, ovf). Loads are {@code cost / weight} compared by cross multiplication, so no division and no
 * floating point: overhead is below 2^40 and weight below 2^16, so the products fit a long.
 */
final class LeastLoad {
    private LeastLoad() {
    }

    /**
     * The usable server with the highest weight, the first of equals (fo); with {@code withinCapacity}, only
     * servers whose active connections do not exceed their weight count (ovf: weight read as capacity).
     * The weight is read once per server, as in {@link #leastIndex}.
     */
    static Dest heaviest(Dest[] ds, boolean withinCapacity) {
        Dest best = null;
        int bestWeight = 0;
        for (Dest d : ds) {
            int w = d.weight();
            if (w <= bestWeight || d.isOverloaded() || !d.isAvailable()) {
                continue;
            }
            if (withinCapacity && d.activeConns() > w) {
                continue;
            }
            best = d;
            bestWeight = w;
        }
        return best;
    }

    /** The IPVS least-cost rules: what a server costs, and whether its weight divides it. */
    enum Metric {
        /** lc: overhead, weights ignored. */
        LEAST_CONNECTION,
        /** wlc: overhead / weight. */
        WEIGHTED_LEAST_CONNECTION,
        /** sed: (active + 1) / weight, the delay a new connection would see. */
        SHORTEST_EXPECTED_DELAY,
        /** nq: an idle server at once, else sed. */
        NEVER_QUEUE
    }

    /**
     * The usable server of least cost under {@code metric}, ties to the earlier one in list order; null
     * when none is usable. Costs are compared by cross multiplication in long arithmetic: integer division
     * would round different loads to one quotient (3/2 and 1/1 are both 1), and the products overflow an
     * int but not a long. The weight is read once per server, so a server quiesced during the scan is
     * either skipped or compared with the weight it was seen with, never with zero.
     */
    static Dest least(Dest[] ds, Metric metric) {
        int i = leastIndex(ds, metric);
        return i < 0 ? null : ds[i];
    }

    /** As {@link #least}, the index in {@code ds}, or -1. */
    static int leastIndex(Dest[] ds, Metric metric) {
        // Loop-invariant switches: the JIT unswitches the loop on them, so each metric runs its own tight
        // loop without a per-server dispatch.
        boolean expectedDelay = metric == Metric.SHORTEST_EXPECTED_DELAY || metric == Metric.NEVER_QUEUE;
        boolean weighted = metric != Metric.LEAST_CONNECTION;
        boolean idleFirst = metric == Metric.NEVER_QUEUE;
        int least = -1;
        long leastCost = 0;
        long leastWeight = 0;
        for (int i = 0; i < ds.length; i++) {
            Dest d = ds[i];
            int w = d.weight();
            if (w <= 0 || d.isOverloaded() || !d.isAvailable()) {
                continue;
            }
            long cost;
            if (expectedDelay) {
                int active = d.activeConns();
                if (idleFirst && active == 0) {
                    return i;
                }
                cost = active + 1L;
            } else {
                cost = d.overhead();
            }
            long weight = weighted ? w : 1;
            if (least < 0 || leastCost * weight > cost * leastWeight) {
                least = i;
                leastCost = cost;
                leastWeight = weight;
            }
        }
        return least;
    }

    /**
     * Index of the usable server with the least overhead per weight, ties to the earlier one; -1 when no
     * server is usable. The weight is read once per server so that the usability test and the comparison
     * see the same value even while the control thread edits it.
     */
    static int leastLoaded(Dest[] ds) {
        return leastIndex(ds, Metric.WEIGHTED_LEAST_CONNECTION);
    }

    /**
     * Index of the most loaded member other than {@code keep}, ties to the later one; -1 when there is none.
     * A member that cannot take new flows (quiesced, overloaded, removed) counts as the most loaded of all:
     * it is the cheapest one to drop from a locality set since it serves no new flow anyway.
     */
    static int mostLoaded(Dest[] ds, int keep) {
        int worst = -1;
        long worstOh = 0;
        long worstW = 0;
        boolean worstUnusable = false;
        for (int i = 0; i < ds.length; i++) {
            if (i == keep) {
                continue;
            }
            Dest d = ds[i];
            int w = d.weight();
            boolean unusable = w <= 0 || d.isOverloaded() || !d.isAvailable();
            long oh = d.overhead();
            boolean heavier;
            if (worst < 0 || unusable) {
                heavier = true;
            } else if (worstUnusable) {
                heavier = false;
            } else {
                heavier = oh * worstW >= worstOh * w;
            }
            if (heavier) {
                worst = i;
                worstOh = oh;
                worstW = w;
                worstUnusable = unusable;
            }
        }
        return worst;
    }

    /**
     * Overloaded in the locality sense (thesis 6.3.5): the server has more active connections than its
     * weight while some server of the service is less than half busy. A busy server alone is no reason to
     * give up locality; only a real imbalance is.
     */
    static boolean localityOverloaded(Dest d, Dest[] service) {
        if (d.activeConns() <= d.weight()) {
            return false;
        }
        for (Dest s : service) {
            if ((long) s.activeConns() * 2 < s.weight()) {
                return true;
            }
        }
        return false;
    }

    static boolean contains(Dest[] ds, Dest d) {
        for (Dest x : ds) {
            if (x == d) {
                return true;
            }
        }
        return false;
    }
}
