package org.jvs.core.time;

/**
 * Time as the core sees it. Injected everywhere so that tests drive expiry, rates and feedback by hand
 * ({@link ManualClock}) instead of sleeping.
 */
public interface Clock {

    /** Monotonic nanoseconds; only differences mean anything. */
    long nanos();

    /** Whole monotonic seconds: the tick of the connection timing wheels. */
    default long seconds() {
        return Math.floorDiv(nanos(), 1_000_000_000L);
    }

    /** Whole monotonic milliseconds. */
    default long millis() {
        return Math.floorDiv(nanos(), 1_000_000L);
    }

    Clock SYSTEM = System::nanoTime;
}
