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
        Dest least = null;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (Dest d : dests) {
            if (!d.isUsable()) {
                continue;
            }
            long oh = d.overhead();
            long w = d.weight();
            // Quiesced between isUsable() and this read: a zero weight would make every later comparison
            // with this server as the least one true.
            if (w <= 0) {
                continue;
            }
            if (least == null || leastOverhead * w > oh * leastWeight) {
                least = d;
                leastOverhead = oh;
                leastWeight = w;
            }
        }
        return least;
    }
}
