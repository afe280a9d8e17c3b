package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * ovf: like {@code fo}, the usable server with the highest weight (the first of equals) takes new
 * connections, but only while its active connections do not exceed its weight; the weight is read as a
 * capacity, and the excess overflows to the next server by weight. When every server is past its capacity
 * there is no answer (null), as in IPVS: the administrator sized the pool with the weights.
 */
public final class OverflowScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "ovf";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        return LeastLoad.heaviest(dests, true);
    }
}
