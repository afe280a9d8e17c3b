package org.jvs.core.sched;

import org.jvs.core.Dest;
import org.jvs.core.model.SchedFlag;

/**
 * sh: the client's source address (and source port with {@code sh-port}) hashed into a weighted static
 * table of 256 buckets, so one client keeps reaching one server without any per-client state. When that
 * server cannot take the flow the answer is no server, or with {@code sh-fallback} the next usable
 * bucket's server. The table is rebuilt in {@link #update} only; {@link #schedule} just indexes it.
 */
public final class SourceHashScheduler implements Scheduler {
    /** Fixed seed: every director hashes a client to the same bucket. */
    private static final long SEED = 0x5348_5F73_6F75_7263L;

    private final boolean fallback;
    private final boolean hashPort;
    private volatile Dest[] buckets;

    public SourceHashScheduler(SchedulerContext context) {
        this.fallback = HashBuckets.flagBit(context.service().flags(), SchedFlag.SH_FALLBACK.bit());
        this.hashPort = HashBuckets.flagBit(context.service().flags(), SchedFlag.SH_PORT.bit());
    }

    @Override
    public String name() {
        return "sh";
    }

    @Override
    public void update(Dest[] dests) {
        buckets = HashBuckets.build(dests);
    }

    @Override
    public Dest schedule(Flow flow) {
        long h = AddrHash.hash(SEED, flow.srcHi, flow.srcLo, hashPort ? flow.srcPort : 0);
        return HashBuckets.lookup(buckets, h, fallback);
    }
}
