package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProximityRule;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The data path allocates nothing with many keys: a million {@code schedule} calls over 1024 sources and
 * destinations, with fallback and port flags and a proximity table set, on a warm scheduler (JIT-compiled,
 * its caches filled), must not move this thread's allocated-bytes counter. Boxing a key, a lambda capturing
 * the flow or a varargs call would each cost at least 16 bytes per call, i.e. megabytes here.
 */
class KeyedSchedulerAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /**
     * Slack for the measurement itself, not for the schedulers: the counter is read from the thread's TLAB
     * bookkeeping, and the JVM may charge a one-off object to the thread between the two reads (a lazily
     * created MXBean helper, a class initialised on first use). Anything per call shows up as megabytes.
     */
    private static final long NOISE_BYTES = 1024;
    private static final int KEYS = 1024;

    static java.util.stream.Stream<String> names() {
        return Schedulers.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("names")
    void scheduleAllocatesNothingOnceWarm(String name) {
        Dest[] ds = DestFixtures.pool(1, 2, 3, 1, 4, 2, 1, 1);
        for (int i = 0; i < ds.length; i++) {
            DestFixtures.conns(ds[i], i % 3, i);
        }
        DestFixtures.weight(ds[5], 0); // exercise the fallback paths too
        SchedulerContext context = new SchedulerContext(SchedTesting.spec(name)
                .withFlags(name.equals("mh") ? Set.of(SchedFlag.MH_FALLBACK, SchedFlag.MH_PORT)
                        : Set.of(SchedFlag.SH_FALLBACK, SchedFlag.SH_PORT))
                .withProximity(List.of(
                        new ProximityRule(IpAddr.parse("11.0.0.0"), 8, List.of(IpAddr.parse("10.0.0.2"), IpAddr.parse("10.0.0.6"))),
                        new ProximityRule(IpAddr.parse("11.0.2.0"), 24, List.of(IpAddr.parse("10.0.0.7"))))),
                Clock.SYSTEM);
        Scheduler s = Schedulers.create(name, context);
        assertThat(s.name()).isEqualTo(name);
        s.update(ds);
        Flow[] flows = new Flow[KEYS];
        for (int i = 0; i < KEYS; i++) {
            // Sources spread over 11.0.0.0/16 (some in the gs /24), destinations over 1024 sites.
            flows[i] = new Flow().setV4(6, 0x0B00_0000 + i * 67, 1024 + i, 0xCB00_0000 + i * 4099, 80);
        }
        long warm = run(s, flows, 300_000);
        THREADS.getCurrentThreadAllocatedBytes();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long chosen = run(s, flows, 1_000_000);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(warm).isPositive();
        assertThat(chosen).isPositive();
        assertThat(allocated).as("bytes allocated by 1,000,000 %s schedule calls", name).isLessThan(NOISE_BYTES);
    }

    private static long run(Scheduler s, Flow[] flows, int calls) {
        long chosen = 0;
        for (int i = 0; i < calls; i++) {
            if (s.schedule(flows[i & (KEYS - 1)]) != null) {
                chosen++;
            }
        }
        return chosen;
    }
}
