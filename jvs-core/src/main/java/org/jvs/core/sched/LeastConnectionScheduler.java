package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * lc: the usable server with the least overhead ({@link Dest#overhead()}), ignoring weights; ties go to the
 * earlier server in list order. Stateless, so {@link #preview} is {@link #schedule}.
 */
public final class LeastConnectionScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "lc";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        Dest least = null;
        long leastOverhead = 0;
        for (Dest d : dests) {
            if (!d.isUsable()) {
                continue;
            }
            long oh = d.overhead();
            // Strictly less: an equal server later in the list must not displace the earlier one.
            if (least == null || oh < leastOverhead) {
                least = d;
                leastOverhead = oh;
            }
        }
        return least;
    }
}
