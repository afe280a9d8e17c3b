package org.jvs.core.defense;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The data-plane queries allocate nothing (same method and tolerance as conn.HotPathAllocationTest). */
class DefenseAllocationTest {
    private static final int CALLS = 1_000_000;
    /** JMX bookkeeping and a possible deoptimisation; one allocation per call would be megabytes. */
    private static final long TOLERANCE_BYTES = 4096;

    @Test
    void queriesAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()).isTrue();
        DefenseState d = new DefenseState(() -> 0, 1_000_000);
        d.setAmDropRate(7);
        d.setDropPacketMode(3);
        d.setSecureTcpMode(3);
        d.setDropEntryMode(3);
        long sink = run(d);
        long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(d);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isEqualTo(2L * (CALLS / 7 + CALLS * 2L));
        assertThat(allocated).isLessThan(TOLERANCE_BYTES);
    }

    private static long run(DefenseState d) {
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            sink += (d.shouldDropPacket() ? 1 : 0) + (d.secureTcpActive() ? 1 : 0) + (d.dropEntryActive() ? 1 : 0);
        }
        return sink;
    }
}
