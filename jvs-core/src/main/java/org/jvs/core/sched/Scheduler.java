package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * A scheduling algorithm for one service, found by its ipvsadm name through {@link Schedulers}.
 *
 * <p>Threads: {@link #update} is called by the control thread only, whenever the service's server list, a
 * weight or a threshold changes; it may precompute (hash tables, Maglev permutations) and must publish the
 * result safely. {@link #schedule} and {@link #preview} are called concurrently by data-plane threads: they
 * allocate nothing, never block, and take no lock the control thread can hold for long.
 *
 * <p>Every scheduler honours the same rules (checked by the shared contract test): a server with weight 0
 * (quiesced) or flagged overloaded is never chosen for a new flow, and with no usable server the answer is
 * {@code null}.
 */
public interface Scheduler {

    /** The ipvsadm name ({@code rr}, {@code wlc}, ...). */
    String name();

    /** New server list of the service, in list order (ties go to the earlier server). */
    void update(Dest[] dests);

    /** Chooses the real server for a new flow, or returns null when none is usable. */
    Dest schedule(Flow flow);

    /**
     * The server {@link #schedule} would choose now, without moving any state (round-robin position,
     * locality caches): the answer to "where would this flow go?". Stateless schedulers need not override.
     */
    default Dest preview(Flow flow) {
        return schedule(flow);
    }

    /**
     * Periodic upkeep (about once a second) on the housekeeping thread, never on the data path: expire
     * idle locality entries and the like. Must not block data-plane threads for long.
     */
    default void housekeeping() {
    }
}
