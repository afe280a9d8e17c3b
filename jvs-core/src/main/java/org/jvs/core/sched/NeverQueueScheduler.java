package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * nq: an idle usable server (no active connection) takes the new connection at once, the first such in
 * list order, because nothing has to wait behind anything there whatever its weight; when every usable
 * server is busy, the {@code sed} rule decides. One pass does both: the sed candidate is kept while looking
 * for an idle server.
 */
public final class NeverQueueScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "nq";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        Dest least = null;
        long leastDelay = 0;
        long leastWeight = 0;
        for (Dest d : dests) {
            if (!d.isUsable()) {
                continue;
            }
            int active = d.activeConns();
            long w = d.weight();
            if (w <= 0) {
                continue;
            }
            if (active == 0) {
                return d;
            }
            long delay = active + 1L;
            if (least == null || leastDelay * w > delay * leastWeight) {
                least = d;
                leastDelay = delay;
                leastWeight = w;
            }
        }
        return least;
    }
}
