package org.jvs.health;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs each check on its own virtual thread, at most {@code maxConcurrent} at a time (the rest wait for a
 * permit, cheaply, as parked virtual threads). Virtual threads run on the JDK's small carrier pool, never on
 * the socket engine's event loops, and blocking socket I/O parks them instead of holding a carrier; the
 * ICMP checker, which calls native code, polls instead of blocking for the same reason.
 */
public final class BoundedCheckRunner implements CheckRunner {
    private final Semaphore permits;
    private final int max;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jvs-check-", 0).factory());
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger highest = new AtomicInteger();
    private volatile boolean closed;

    public BoundedCheckRunner(int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max_concurrent must be at least 1");
        }
        this.max = maxConcurrent;
        this.permits = new Semaphore(maxConcurrent, true);
    }

    @Override
    public void submit(Checker checker, InetSocketAddress target, Duration timeout, Consumer<CheckResult> done) {
        if (closed) {
            return;
        }
        threads.execute(() -> {
            CheckResult r;
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                return; // closing
            }
            try {
                int now = running.incrementAndGet();
                highest.accumulateAndGet(now, Math::max);
                r = checker.check(target, timeout);
            } catch (RuntimeException e) {
                r = CheckResult.down("check failed: " + Reasons.brief(String.valueOf(e)));
            } finally {
                running.decrementAndGet();
                permits.release();
            }
            if (!closed) {
                done.accept(r);
            }
        });
    }

    public int maxConcurrent() {
        return max;
    }

    /** Checks running right now. */
    public int running() {
        return running.get();
    }

    /** The most checks that ever ran at once: never above {@link #maxConcurrent()}. */
    public int highestConcurrency() {
        return highest.get();
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
    }
}
