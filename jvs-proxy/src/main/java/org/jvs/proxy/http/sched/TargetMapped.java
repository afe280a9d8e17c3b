package org.jvs.proxy.http.sched;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jvs.core.time.Clock;

/**
 * What lblc and lblcr share: a {@link TargetTable} of targets and their servers, forgotten after
 * {@code expireNanos} idle, the locality counters each pick bumps, and their view for the control plane
 * ({@link Locality}).
 */
abstract sealed class TargetMapped implements RequestScheduler, Locality permits Lblc, Lblcr {

    final TargetTable table;
    final Clock clock;
    private final long expireNanos;
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder moves = new LongAdder();
    final LongAdder shrinks = new LongAdder();

    TargetMapped(int targets, long expireNanos, Clock clock) {
        this.table = new TargetTable(targets);
        this.clock = clock;
        this.expireNanos = expireNanos;
    }

    @Override
    public final void housekeeping() {
        table.expire(clock.nanos() - expireNanos);
    }

    @Override
    public final Counts counts() {
        return new Counts(hits.sum(), misses.sum(), moves.sum(), shrinks.sum());
    }

    @Override
    public final int targets() {
        return table.size();
    }

    @Override
    public final List<Target> busiest(int n) {
        return table.busiest(n, clock.nanos());
    }
}
