package org.jvs.core.sched;

import java.util.concurrent.atomic.AtomicInteger;
import org.jvs.core.Dest;

/**
 * rr: the next usable server after the last one picked, in list order. The position is one atomic int
 * advanced by CAS, so concurrent data-plane threads share one rotation without a lock.
 */
public final class RoundRobinScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];
    /** Index of the last server picked; -1 before the first pick. */
    private final AtomicInteger last = new AtomicInteger(-1);

    @Override
    public String name() {
        return "rr";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        Dest[] ds = dests;
        while (true) {
            int from = last.get();
            int i = next(ds, from);
            if (i < 0) {
                return null;
            }
            if (last.compareAndSet(from, i)) {
                return ds[i];
            }
        }
    }

    @Override
    public Dest preview(Flow flow) {
        Dest[] ds = dests;
        int i = next(ds, last.get());
        return i < 0 ? null : ds[i];
    }

    private static int next(Dest[] ds, int from) {
        int n = ds.length;
        for (int k = 1; k <= n; k++) {
            int i = Math.floorMod(from + k, n);
            if (ds[i].isUsable()) {
                return i;
            }
        }
        return -1;
    }
}
