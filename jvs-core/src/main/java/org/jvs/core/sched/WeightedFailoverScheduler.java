package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * fo: every new connection goes to the usable server with the highest weight (the first of equals in list
 * order); the others are standbys that take over, in weight order, when it is quiesced, overloaded or
 * removed. Load is deliberately ignored: the point is to keep one primary.
 */
public final class WeightedFailoverScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "fo";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        return LeastLoad.heaviest(dests, false);
    }
}
