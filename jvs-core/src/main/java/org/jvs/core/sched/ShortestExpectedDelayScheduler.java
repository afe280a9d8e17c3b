package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * sed: the usable server with the least {@code (active + 1) / weight}, the delay a new connection can
 * expect if servers work through their active connections at a speed proportional to their weight. The +1
 * counts the new connection itself, which is what lets a fast idle server beat a slow idle one. Inactive
 * connections are ignored. Ratios compared by cross multiplication as in wlc; ties go to the earlier server.
 */
public final class ShortestExpectedDelayScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "sed";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        return LeastLoad.least(dests, LeastLoad.Metric.SHORTEST_EXPECTED_DELAY);
    }
}
