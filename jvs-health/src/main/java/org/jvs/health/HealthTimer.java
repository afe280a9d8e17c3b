package org.jvs.health;

/**
 * Where the health engine's own work runs: one thread (or, in tests, the test's thread as a manual clock
 * advances). All state changes happen in tasks given to it, so the state machine needs no clock of its own.
 */
public interface HealthTimer extends AutoCloseable {

    /** Monotonic nanoseconds. */
    long nanos();

    /** Runs {@code task} after {@code delayNanos}; the handle cancels it. */
    Cancel schedule(long delayNanos, Runnable task);

    /** Runs {@code task} as soon as possible, after what is already due. */
    default void execute(Runnable task) {
        schedule(0, task);
    }

    @Override
    void close();

    @FunctionalInterface
    interface Cancel {
        void cancel();
    }
}
