package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-record paths allocate nothing: a million records encoded and a million decoded must not move this
 * thread's allocated-bytes counter (com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes) by more
 * than {@link #NOISE_BYTES}, the measurement's own slack (one byte per record would be a megabyte).
 */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long NOISE_BYTES = 1024;
    private static final int RECORDS = 1_000_000;

    private final SyncConn[] records = new SyncConn[64];
    private final ByteBuffer buf = ByteBuffer.allocateDirect(SyncProtocol.DEFAULT_MAXLEN_V4);
    private final SyncEncoder enc = new SyncEncoder();
    private final SyncDecoder dec = new SyncDecoder();
    private long checksum;
    private final SyncConnSink sink = c -> checksum += c.cport() + (c.seqPresent() ? 1 : 0);

    @Test
    void encodingAndDecodingAMillionRecordsAllocatesNothing() {
        Random r = new Random(1);
        for (int i = 0; i < records.length; i++) {
            records[i] = RandomConns.v1(r);
        }
        run(SyncVersion.V1, 200_000); // warm up: JIT-compile both loops
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long records = run(SyncVersion.V1, RECORDS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(records).isGreaterThanOrEqualTo(RECORDS);
        assertThat(dec.stats().conns()).isGreaterThanOrEqualTo(RECORDS);
        assertThat(allocated).as("bytes allocated for %d records encoded and decoded", RECORDS).isLessThan(NOISE_BYTES);
    }

    @Test
    void v0TooAllocatesNothing() {
        Random r = new Random(2);
        for (int i = 0; i < records.length; i++) {
            records[i] = RandomConns.v0(r);
        }
        run(SyncVersion.V0, 200_000);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        run(SyncVersion.V0, RECORDS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(NOISE_BYTES);
    }

    /** Encodes records into messages until {@code n} were added, decoding every message; returns the count. */
    private long run(SyncVersion v, int n) {
        long added = 0;
        int next = 0;
        while (added < n) {
            enc.begin(buf.clear(), v, 9, SyncProtocol.DEFAULT_MAXLEN_V4);
            while (enc.add(records[next & 63])) {
                next++;
                added++;
            }
            enc.finish();
            buf.flip();
            dec.decode(buf, 9, sink);
        }
        return added;
    }
}
