package org.jvs.health;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/** Runs checks somewhere other than the caller's thread and reports each result once. */
public interface CheckRunner extends AutoCloseable {

    /** Starts one check; {@code done} receives its result, from any thread. */
    void submit(Checker checker, InetSocketAddress target, Duration timeout, Consumer<CheckResult> done);

    @Override
    default void close() {
    }
}
