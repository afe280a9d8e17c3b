package org.jvs.health;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The real timer: one daemon platform thread, "jvs-health", which never touches packets. */
public final class SystemHealthTimer implements HealthTimer {
    private static final System.Logger LOG = System.getLogger("org.jvs.health");
    private final ScheduledThreadPoolExecutor exec;

    public SystemHealthTimer() {
        exec = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("jvs-health").unstarted(r));
        exec.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public Cancel schedule(long delayNanos, Runnable task) {
        if (exec.isShutdown()) {
            return () -> { };
        }
        ScheduledFuture<?> f = exec.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // One bad task must not stop every health check.
                LOG.log(System.Logger.Level.ERROR, "health task failed", e);
            }
        }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}
