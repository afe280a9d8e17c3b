package org.jvs.core.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told: for tests, simulations and benchmarks that need repeatable time. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;

    public ManualClock() {
        this(0);
    }

    public ManualClock(long startNanos) {
        nanos = new AtomicLong(startNanos);
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    public void advanceSeconds(long s) {
        nanos.addAndGet(s * 1_000_000_000L);
    }
}
