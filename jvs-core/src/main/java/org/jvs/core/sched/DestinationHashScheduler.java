package org.jvs.core.sched;

import org.jvs.core.Dest;
import org.jvs.core.model.SchedFlag;

/**
 * dh: the flow's destination address hashed into a weighted static table of 256 buckets, so every
 * request for one destination (a cache cluster in front of many origin sites) reaches the same server.
 * When that server cannot take the flow the answer is no server, or with the fallback flag the next usable
 * bucket's server. The table is rebuilt in {@link #update} only; {@link #schedule} just indexes it.
 */
public final class DestinationHashScheduler implements Scheduler {
    /** Fixed seed, distinct from sh's, so dh and sh services spread keys independently. */
    private static final long SEED = 0x4448_5F64_6573_7469L;

    private final boolean fallback;
    private volatile Dest[] buckets;

    public DestinationHashScheduler(SchedulerContext context) {
        this.fallback = HashBuckets.flagBit(context.service().flags(), SchedFlag.SH_FALLBACK.bit());
    }

    @Override
    public String name() {
        return "dh";
    }

    @Override
    public void update(Dest[] dests) {
        buckets = HashBuckets.build(dests);
    }

    @Override
    public Dest schedule(Flow flow) {
        long h = AddrHash.hash(SEED, flow.dstHi, flow.dstLo, 0);
        return HashBuckets.lookup(buckets, h, fallback);
    }
}
