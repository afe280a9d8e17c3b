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
        return LeastLoad.least(dests, LeastLoad.Metric.NEVER_QUEUE);
    }
}
