package org.jvs.bench.takeover;

import java.time.Duration;
import org.jvs.testkit.netns.Host;

/**
 * One of the two systems the benchmark compares: what it takes to run a VRRP node for the VIP on a lab host,
 * to see whether it is master, and to kill it the way a crash does (SIGKILL, no priority-0 advert).
 */
sealed interface DirectorPair permits JvsPair, KeepalivedPair {
    /** The name in the report: {@code jvs}, {@code keepalived}. */
    String system();

    /** Whether established connections can survive a takeover (they need connection sync). */
    boolean syncsConnections();

    /** Starts a node on {@code host} with {@code priority} (preempt off); returns once it runs VRRP. */
    void start(Host host, int priority) throws Exception;

    /** Whether the node on {@code host} is master (holds the VIP). */
    boolean isMaster(Host host) throws Exception;

    /** Whether the node on {@code host} runs and is backup. */
    boolean isBackup(Host host) throws Exception;

    /** Connections the node on {@code host} knows in ESTABLISHED state (0 where nothing is synced). */
    int connections(Host host) throws Exception;

    /** SIGKILL: the node stops at once, as in a crash. */
    void kill(Host host) throws Exception;

    /** What a rebooted host no longer has (a dead keepalived's VIP on the interface); before {@link #start} again. */
    void cleanUpAfterKill(Host host);

    /** Stops whatever still runs (the lab stops the processes too; this is for the next system in the same lab). */
    void stopAll();

    default void await(String what, Duration bound, Check check) throws Exception {
        long end = System.nanoTime() + bound.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(system() + ": not " + what + " within " + bound);
            }
            Thread.sleep(10);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }
}
