package org.jvs.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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
 * The floor under any connection table lookup on this machine: one dependent random read from an
 * off-heap region as large as the table's slab (56 bytes per entry). Each read's address depends on the
 * previous value, so the reads cannot overlap: this is the memory latency a lookup of an uncached entry
 * pays at least once (the bucket) and usually twice (bucket, then slot).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class MemoryLatencyBench {
    @Param({"10000", "1000000", "10000000"})
    public int entries;

    private Arena arena;
    private MemorySegment seg;
    private long slots;
    private long cursor;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        slots = entries;
        seg = arena.allocate(slots * 56, 64);
        // A random cyclic permutation of the slots: slot i holds the index of the next slot to read.
        long[] order = new long[(int) slots];
        for (int i = 0; i < slots; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int i = (int) slots - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < slots; i++) {
            seg.set(ValueLayout.JAVA_LONG, order[i] * 56, order[(i + 1) % (int) slots]);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        arena.close();
    }

    @Benchmark
    public long dependentRandomRead() {
        cursor = seg.get(ValueLayout.JAVA_LONG, cursor * 56);
        return cursor;
    }
}
