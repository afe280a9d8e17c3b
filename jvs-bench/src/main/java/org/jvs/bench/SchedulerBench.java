package org.jvs.bench;

import java.util.concurrent.TimeUnit;
import org.jvs.core.Dest;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.sched.Scheduler;
import org.jvs.core.sched.SchedulerContext;
import org.jvs.core.sched.Schedulers;
import org.jvs.core.time.Clock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one scheduling decision (a new connection) per scheduler and pool size. Servers have mixed
 * weights 1..5 and uneven connection counts so that the least-connection family compares for real; flows
 * cycle through 4096 client and destination addresses so hashing and locality caches see many keys.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class SchedulerBench {
    @Param({"rr", "wrr", "wlc", "lblc", "sh", "mh"})
    public String scheduler;

    @Param({"3", "100", "1000"})
    public int dests;

    private Scheduler sched;
    private final Flow[] flows = new Flow[4096];
    private int next;

    @Setup
    public void setup() {
        ServiceSpec spec = ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80), scheduler);
        sched = Schedulers.create(scheduler, new SchedulerContext(spec, Clock.SYSTEM));
        Dest[] pool = new Dest[dests];
        for (int i = 0; i < dests; i++) {
            DestSpec ds = DestSpec.of(IpAddr.v4(0x0A01_0000 + i), 80, ForwardingMethod.DIRECT_ROUTE).withWeight(1 + i % 5);
            pool[i] = new Dest(i, null, ds);
            for (int c = 0; c < (i * 7) % 13; c++) {
                pool[i].connBound(c % 3 != 0);
            }
        }
        sched.update(pool);
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow().setV4(6, 0x0B00_0000 + i * 7919, 1024 + i, 0x0C00_0000 + (i % 1024), 80);
        }
    }

    @Benchmark
    public Dest schedule() {
        return sched.schedule(flows[next++ & (flows.length - 1)]);
    }
}
