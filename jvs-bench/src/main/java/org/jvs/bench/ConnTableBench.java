package org.jvs.bench;

import java.util.concurrent.TimeUnit;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Connection table lookups and inserts with the table already holding {@code entries} established
 * connections. Lookups pick existing keys at random (cache misses included, as on a busy director);
 * inserts add fresh half-open connections, which the per-iteration teardown expires again through the
 * timing wheel so the fill level stays put.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class ConnTableBench {
    private static final int TCP = 6;
    private static final long VIP = 0x0A00_0064L;

    @Param({"10000", "1000000", "10000000"})
    public int entries;

    private ManualClock clock;
    private LoadBalancer lb;
    private ConnTable table;
    private Dest dest;
    private long rnd = 0x9E3779B97F4A7C15L;
    private long fresh;

    static long client(long i) {
        return 0x0100_0000L + (i >>> 14);
    }

    static int port(long i) {
        return 1024 + (int) (i & 0x3FFF);
    }

    @Setup(Level.Trial)
    public void fill() {
        clock = new ManualClock();
        // Room for one iteration's inserts on top of the fill.
        lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(entries + 12_000_000, 16), clock);
        ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4((int) VIP), 80);
        lb.addService(ServiceSpec.of(key, "rr"));
        dest = lb.addDest(key, DestSpec.of(IpAddr.parse("10.0.0.1"), 80, ForwardingMethod.DIRECT_ROUTE));
        lb.timeouts().set(2_000_000, 0, 0);
        table = lb.connTable(false);
        for (long i = 0; i < entries; i++) {
            table.insert(TCP, 0, client(i), port(i), 0, VIP, 80, 0, 0x0A00_0001L, 80, 0, client(i), port(i),
                    3, true, dest.id(), -1, TcpStateMachine.SYN, false);
            table.touchIn(TCP, 0, client(i), port(i), 0, VIP, 80, TcpStateMachine.ACK, false);
        }
        fresh = entries;
    }

    @TearDown(Level.Iteration)
    public void expireInserted() {
        // Half-open inserts live 60 s; the fill is established with a very long timeout.
        clock.advanceSeconds(61);
        table.expire();
        fresh = entries;
    }

    @TearDown(Level.Trial)
    public void close() {
        lb.close();
    }

    private long nextRandom() {
        rnd ^= rnd << 13;
        rnd ^= rnd >>> 7;
        rnd ^= rnd << 17;
        return rnd;
    }

    @Benchmark
    public int lookup() {
        long i = Long.remainderUnsigned(nextRandom(), entries);
        return table.lookupIn(TCP, 0, client(i), port(i), 0, VIP, 80);
    }

    @Benchmark
    public int touch() {
        long i = Long.remainderUnsigned(nextRandom(), entries);
        return table.touchIn(TCP, 0, client(i), port(i), 0, VIP, 80, TcpStateMachine.ACK, false);
    }

    @Benchmark
    public int insert() {
        long i = fresh++;
        return table.insert(TCP, 0, client(i), port(i), 0, VIP, 80, 0, 0x0A00_0001L, 80, 0, client(i), port(i),
                3, true, dest.id(), -1, TcpStateMachine.SYN, false);
    }
}
