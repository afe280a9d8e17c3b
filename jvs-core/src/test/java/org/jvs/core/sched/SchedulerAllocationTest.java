package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The data path schedules every new connection: {@link Scheduler#schedule} and {@link Scheduler#preview}
 * must allocate nothing, or the garbage collector pauses the director under load. Measured with the
 * per-thread allocation counter around a million calls of each, after a warm-up that lets the JIT compile
 * them and lets schedulers with caches fill them for the few flows used.
 */
class SchedulerAllocationTest {
    private static final int WARM_UP = 200_000;
    private static final int CALLS = 1_000_000;
    /**
     * Not zero: the JVM may make a few one-off allocations on the measuring thread while the loop runs (the
     * first reading of the counter, a deoptimization) that do not grow with the number of calls. One
     * allocation per call, even of the smallest object (16 bytes), would be 16 MB here.
     */
    private static final long NOISE_BYTES = 1024;

    static Stream<String> names() {
        return Schedulers.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void scheduleAndPreviewAllocateNothing(String name) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(mx.isThreadAllocatedMemorySupported()).as("HotSpot counts allocations per thread").isTrue();
        if (!mx.isThreadAllocatedMemoryEnabled()) {
            mx.setThreadAllocatedMemoryEnabled(true);
        }
        Dest[] ds = DestFixtures.pool(3, 1, 2, 0, 5);
        DestFixtures.conns(ds[0], 2, 7);
        DestFixtures.conns(ds[1], 1, 3);
        DestFixtures.conns(ds[4], 4, 0);
        ServiceSpec spec = ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80), name);
        Scheduler s = Schedulers.create(name, new SchedulerContext(spec, new ManualClock()));
        s.update(ds);
        Flow[] flows = new Flow[16];
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow().setV4(6, 0xC0A8_0001 + i * 7919, 1024 + i * 31, 0x0A00_0064 + i, 80);
        }

        long picked = run(s, flows, WARM_UP);
        long before = mx.getCurrentThreadAllocatedBytes();
        picked += run(s, flows, CALLS);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertThat(picked).as("the pool has usable servers").isPositive();
        assertThat(allocated).as("bytes allocated by %d schedule() and preview() calls", CALLS).isLessThan(NOISE_BYTES);
    }

    /** Calls schedule and preview {@code calls} times each; the count of answers keeps the JIT from dropping them. */
    private static long run(Scheduler s, Flow[] flows, int calls) {
        long picked = 0;
        for (int k = 0; k < calls; k++) {
            Flow f = flows[k & (flows.length - 1)];
            if (s.schedule(f) != null) {
                picked++;
            }
            if (s.preview(f) != null) {
                picked++;
            }
        }
        return picked;
    }
}
