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
        return LeastLoad.least(dests, LeastLoad.Metric.LEAST_CONNECTION);
    }
}
