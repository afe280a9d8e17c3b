package org.jvs.health;

import java.time.Duration;
import java.util.PriorityQueue;

/** A timer that moves only when told, running due tasks on the caller's thread: for state-machine tests. */
public final class ManualHealthTimer implements HealthTimer {
    private record Task(long due, long order, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private long now;
    private long order;

    @Override
    public synchronized long nanos() {
        return now;
    }

    @Override
    public synchronized Cancel schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Task(now + Math.max(0, delayNanos), order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves time forward, running every task that falls due on the way, in time order. */
    public void advance(Duration d) {
        long end;
        synchronized (this) {
            end = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.due > end) {
                    now = end;
                    return;
                }
                queue.poll();
                now = Math.max(now, t.due);
            }
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
    }

    /** Runs what is due now without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    @Override
    public void close() {
        synchronized (this) {
            queue.clear();
        }
    }
}
