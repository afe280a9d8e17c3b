package org.jvs.proxy.http.sched;

import java.util.List;
import org.jvs.core.time.Clock;

/**
 * What lblc and lblcr share: a {@link TargetTable} of targets and their servers, forgotten after
 * {@code expireNanos} idle, and its view for the control plane ({@link Locality}).
 */
abstract sealed class TargetMapped implements RequestScheduler, Locality permits Lblc, Lblcr {

    final TargetTable table;
    final Clock clock;
    private final long expireNanos;

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
    public final int targets() {
        return table.size();
    }

    @Override
    public final List<Target> busiest(int n) {
        return table.busiest(n, clock.nanos());
    }
}
