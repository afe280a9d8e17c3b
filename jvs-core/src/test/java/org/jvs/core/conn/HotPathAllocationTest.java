package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-packet calls allocate nothing: thread-allocated bytes around a million calls.
 *
 * <p>Tolerance: {@link #TOLERANCE_BYTES}. The counter is read through a JMX bean whose own bookkeeping may
 * allocate a few dozen bytes on a call, and the JIT may deoptimise and re-enter the interpreter once; neither
 * grows with the number of calls. One allocation per call, the failure this guards against, would be at least
 * 16 MB here.
 */
class HotPathAllocationTest {
    static final int CALLS = 1_000_000;
    static final long TOLERANCE_BYTES = 4096;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    static void assumeMeasurable() {
        assertThat(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled()).as("thread allocation accounting unavailable on this JVM").isTrue();
    }

    @Test
    void tcpStateMachineNextAllocatesNothing() {
        assumeMeasurable();
        long sink = runNext(CALLS); // warm-up: class init, interpreter, JIT
        long before = allocatedBytes();
        sink += runNext(CALLS);
        long allocated = allocatedBytes() - before;
        assertThat(sink).isNotZero();
        assertThat(allocated).as("bytes allocated by %d calls", CALLS).isLessThan(TOLERANCE_BYTES);
    }

    @Test
    void timeoutReadsAllocateNothing() {
        assumeMeasurable();
        Timeouts t = new Timeouts();
        long sink = runTimeouts(t, CALLS);
        long before = allocatedBytes();
        sink += runTimeouts(t, CALLS);
        long allocated = allocatedBytes() - before;
        assertThat(sink).isNotZero();
        assertThat(allocated).as("bytes allocated by %d calls", CALLS).isLessThan(TOLERANCE_BYTES);
    }

    @Test
    void tcpStateOfAllocatesNothing() {
        assumeMeasurable();
        long sink = runOf(CALLS);
        long before = allocatedBytes();
        sink += runOf(CALLS);
        long allocated = allocatedBytes() - before;
        assertThat(sink).isNotZero();
        assertThat(allocated).isLessThan(TOLERANCE_BYTES);
    }

    private static long runNext(int n) {
        long sink = 0;
        int state = 0;
        for (int i = 0; i < n; i++) {
            // Walk every state, direction, flag combination and both table sets.
            state = TcpStateMachine.next((state + i) % TcpState.COUNT, i % 3, i & 0xFF, (i & 0x100) != 0);
            sink += state;
        }
        return sink;
    }

    private static long runTimeouts(Timeouts t, int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            int s = i % TcpState.COUNT;
            sink += t.tcp(s) + t.tcpSecure(s) + t.tcp(s, (i & 1) != 0) + t.udp();
        }
        return sink;
    }

    private static long runOf(int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += TcpState.of(i % TcpState.COUNT).isActive() ? 1 : 0;
        }
        return sink;
    }
}
