package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * wlc, the default scheduler: the usable server with the least {@code overhead / weight}, so that load
 * follows capacity. Ties go to the earlier server in list order.
 *
 * <p>The ratios are compared by cross multiplication in long arithmetic: integer division would round
 * different loads to the same quotient (3/2 and 1/1 are both 1), and the products (overhead up to about
 * 2^39, weight up to 2^16) overflow an int but not a long.
 */
public final class WeightedLeastConnectionScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];

    @Override
    public String name() {
        return "wlc";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        return LeastLoad.least(dests, LeastLoad.Metric.WEIGHTED_LEAST_CONNECTION);
    }
}
