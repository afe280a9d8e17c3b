package org.jvs.core.defense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.jvs.core.model.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DefenseStateTest {
    private static final long THRESHOLD = 1_000_000;
    private static final long PLENTY = 10 * THRESHOLD;
    private static final long LOW = THRESHOLD / 2;

    private final AtomicLong memory = new AtomicLong(PLENTY);
    private final DefenseState d = new DefenseState(memory::get, THRESHOLD);

    /** One of the three strategies, seen through its setter, getter and "active" query. */
    record Strategy(String name, Function<DefenseState, IntConsumer> setter, Function<DefenseState, IntSupplier> mode,
            Function<DefenseState, BooleanSupplier> active) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Strategy> strategies() {
        return Stream.of(
                new Strategy("drop_entry", x -> x::setDropEntryMode, x -> x::dropEntryMode, x -> x::dropEntryActive),
                new Strategy("drop_packet", x -> x::setDropPacketMode, x -> x::dropPacketMode,
                        x -> () -> x.dropRate() > 0),
                new Strategy("secure_tcp", x -> x::setSecureTcpMode, x -> x::secureTcpMode,
                        x -> x::secureTcpActive));
    }

    private void memory(long bytes) {
        memory.set(bytes);
        d.update();
    }

    private static int mode(DefenseState d, Strategy s) {
        return s.mode().apply(d).getAsInt();
    }

    private static boolean active(DefenseState d, Strategy s) {
        return s.active().apply(d).getAsBoolean();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void offIsNeverActive(Strategy s) {
        s.setter().apply(d).accept(0);
        for (long m : new long[] {PLENTY, LOW, 0, PLENTY}) {
            memory(m);
            assertThat(active(d, s)).as("memory %d", m).isFalse();
            assertThat(mode(d, s)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void autoBecomesTwoWhileMemoryIsLowAndReturnsToOne(Strategy s) {
        s.setter().apply(d).accept(1);
        assertThat(mode(d, s)).isEqualTo(1);
        assertThat(active(d, s)).isFalse();

        memory(LOW);
        assertThat(mode(d, s)).isEqualTo(2);
        assertThat(active(d, s)).isTrue();
        memory(LOW - 1); // still low: stays 2
        assertThat(mode(d, s)).isEqualTo(2);
        assertThat(active(d, s)).isTrue();

        memory(THRESHOLD); // "below the threshold" is strict: exactly at it is enough memory
        assertThat(mode(d, s)).isEqualTo(1);
        assertThat(active(d, s)).isFalse();

        memory(THRESHOLD - 1);
        assertThat(mode(d, s)).isEqualTo(2);
        assertThat(active(d, s)).isTrue();
        memory(PLENTY);
        assertThat(mode(d, s)).isEqualTo(1);
        assertThat(active(d, s)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void settingTwoFollowsMemoryAtOnce(Strategy s) {
        s.setter().apply(d).accept(2); // memory is fine: falls back to 1 right away, as the sysctl does
        assertThat(mode(d, s)).isEqualTo(1);
        assertThat(active(d, s)).isFalse();

        memory.set(LOW); // no update() yet: the setter reads memory itself
        s.setter().apply(d).accept(2);
        assertThat(mode(d, s)).isEqualTo(2);
        assertThat(active(d, s)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void settingOneWhileMemoryIsLowActivatesWithoutWaitingForHousekeeping(Strategy s) {
        memory.set(LOW);
        s.setter().apply(d).accept(1);
        assertThat(mode(d, s)).isEqualTo(2);
        assertThat(active(d, s)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void alwaysIsActiveWhateverTheMemory(Strategy s) {
        s.setter().apply(d).accept(3);
        for (long m : new long[] {PLENTY, LOW, 0, PLENTY}) {
            memory(m);
            assertThat(active(d, s)).as("memory %d", m).isTrue();
            assertThat(mode(d, s)).isEqualTo(3);
        }
        s.setter().apply(d).accept(0);
        assertThat(active(d, s)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void badModesAreRejectedAndNothingChanges(Strategy s) {
        s.setter().apply(d).accept(3);
        for (int bad : new int[] {-1, 4, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> s.setter().apply(d).accept(bad)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(s.name() + " mode " + bad + " out of range 0..3");
            assertThat(mode(d, s)).isEqualTo(3);
            assertThat(active(d, s)).isTrue();
        }
    }

    @Test
    void strategiesAreIndependent() {
        d.setDropEntryMode(1);
        d.setDropPacketMode(3);
        d.setSecureTcpMode(0);
        memory(LOW);
        assertThat(new int[] {d.dropEntryMode(), d.dropPacketMode(), d.secureTcpMode()}).containsExactly(2, 3, 0);
        assertThat(d.dropEntryActive()).isTrue();
        assertThat(d.secureTcpActive()).isFalse();
        assertThat(d.dropRate()).isEqualTo(DefenseState.DEFAULT_AM_DROPRATE);
    }

    @Test
    void autoDropRateIsThresholdOverShortfall() {
        d.setDropPacketMode(1);
        long[][] cases = {
            // available, expected rate
            {900_000, 10}, // 1e6 / 1e5
            {500_000, 2},
            {750_000, 4},
            {999_999, 1_000_000}, // just below the threshold: drop very few
            {1, 1}, // memory gone: drop every connection-creating packet
            {0, 1},
        };
        for (long[] c : cases) {
            memory(c[0]);
            assertThat(d.dropRate()).as("available %d", c[0]).isEqualTo((int) c[1]);
            assertThat(d.dropPacketMode()).isEqualTo(2);
        }
        memory(PLENTY);
        assertThat(d.dropRate()).isZero();
        assertThat(d.shouldDropPacket()).isFalse();
    }

    @Test
    void autoRateClampsToIntRange() {
        assertThat(DefenseState.autoRate(Long.MAX_VALUE, Long.MAX_VALUE - 1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(DefenseState.autoRate(10, 0)).isEqualTo(1);
    }

    @Test
    void alwaysUsesAmDropRate() {
        d.setDropPacketMode(3);
        assertThat(d.dropRate()).isEqualTo(10);
        d.setAmDropRate(4);
        assertThat(d.amDropRate()).isEqualTo(4);
        assertThat(d.dropRate()).isEqualTo(4);
        memory(0); // memory does not matter in mode 3
        assertThat(d.dropRate()).isEqualTo(4);
    }

    @Test
    void shouldDropPacketDropsExactlyOneInRate() {
        d.setAmDropRate(7);
        d.setDropPacketMode(3);
        List<Integer> drops = new ArrayList<>();
        for (int i = 1; i <= 7_000; i++) {
            if (d.shouldDropPacket()) {
                drops.add(i);
            }
        }
        assertThat(drops).hasSize(1000);
        for (int k = 0; k < drops.size(); k++) {
            assertThat(drops.get(k)).isEqualTo(7 * (k + 1)); // the 7th, 14th, ... call
        }
    }

    @Property
    void oneInRateForAnyRate(@ForAll @IntRange(min = 1, max = 500) int rate,
            @ForAll @IntRange(min = 1, max = 20) int rounds) {
        DefenseState x = new DefenseState(() -> PLENTY, THRESHOLD);
        x.setAmDropRate(rate);
        x.setDropPacketMode(3);
        int drops = 0;
        for (int i = 0; i < rate * rounds; i++) {
            if (x.shouldDropPacket()) {
                drops++;
            }
        }
        assertThat(drops).isEqualTo(rounds);
    }

    @Test
    void rateOneDropsEverything() {
        d.setAmDropRate(1);
        d.setDropPacketMode(3);
        for (int i = 0; i < 100; i++) {
            assertThat(d.shouldDropPacket()).isTrue();
        }
    }

    @Test
    void aNewRateRestartsTheCountdown() {
        d.setAmDropRate(100);
        d.setDropPacketMode(3);
        for (int i = 0; i < 50; i++) {
            assertThat(d.shouldDropPacket()).isFalse();
        }
        d.setAmDropRate(3);
        assertThat(d.shouldDropPacket()).isFalse();
        assertThat(d.shouldDropPacket()).isFalse();
        assertThat(d.shouldDropPacket()).isTrue();
    }

    /**
     * Two threads (the cores this is tested on) hammer the countdown together. Rounds start on a spinning
     * barrier so that the threads really overlap: a countdown with lost updates (get then set) drops a
     * different number of packets.
     */
    @Test
    void countdownHoldsAcrossThreads() throws InterruptedException {
        int rate = 10;
        int threads = 2;
        int rounds = 200;
        int perRound = 20_000;
        d.setAmDropRate(rate);
        d.setDropPacketMode(3);
        AtomicInteger arrived = new AtomicInteger();
        long[] drops = new long[threads];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long n = 0;
                for (int round = 1; round <= rounds; round++) {
                    arrived.incrementAndGet();
                    while (arrived.get() < round * threads) {
                        Thread.onSpinWait();
                    }
                    for (int i = 0; i < perRound; i++) {
                        if (d.shouldDropPacket()) {
                            n++;
                        }
                    }
                }
                drops[id] = n;
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        long total = 0;
        for (long n : drops) {
            total += n;
        }
        assertThat(total).isEqualTo((long) threads * rounds * perRound / rate);
    }

    @Test
    void memoryIsReadByUpdatesOnlyWhileAStrategyIsAutomatic() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        DefenseState x = new DefenseState(() -> {
            reads.incrementAndGet();
            return PLENTY;
        }, THRESHOLD);
        x.update();
        x.update();
        assertThat(reads).as("all off: nothing depends on memory").hasValue(0);
        x.setDropPacketMode(3);
        int afterSetter = reads.get();
        x.update();
        assertThat(reads).as("mode 3 does not depend on memory").hasValue(afterSetter);
        x.setSecureTcpMode(1);
        int before = reads.get();
        x.update();
        x.update();
        assertThat(reads).as("automatic: read every update").hasValue(before + 2);
    }

    @Test
    void unknownMemoryIsNotLowMemory() {
        d.setDropEntryMode(1);
        d.setDropPacketMode(1);
        d.setSecureTcpMode(1);
        memory(-1);
        assertThat(d.availableMemory()).isEqualTo(-1);
        assertThat(d.dropEntryActive()).isFalse();
        assertThat(d.secureTcpActive()).isFalse();
        assertThat(d.dropRate()).isZero();
        assertThat(new int[] {d.dropEntryMode(), d.dropPacketMode(), d.secureTcpMode()}).containsExactly(1, 1, 1);
    }

    @Test
    void thresholdZeroMeansMemoryIsNeverLow() {
        d.setSecureTcpMode(1);
        d.setThreshold(0);
        memory(0);
        assertThat(d.secureTcpActive()).isFalse();
        d.setThreshold(THRESHOLD); // raising it re-evaluates at once
        assertThat(d.secureTcpActive()).isTrue();
        assertThat(d.secureTcpMode()).isEqualTo(2);
    }

    @Test
    void badSettingsAreRejectedAndNothingChanges() {
        d.setAmDropRate(5);
        assertThatThrownBy(() -> d.setThreshold(-1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("amemthresh -1");
        assertThatThrownBy(() -> d.setAmDropRate(0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("am_droprate 0 out of range");
        assertThatThrownBy(() -> d.setAmDropRate(-3)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new DefenseState(memory::get, -5)).isInstanceOf(ConfigException.class);
        assertThat(d.threshold()).isEqualTo(THRESHOLD);
        assertThat(d.amDropRate()).isEqualTo(5);
    }

    @Test
    void defaultsAreAllOff() {
        assertThat(new int[] {d.dropEntryMode(), d.dropPacketMode(), d.secureTcpMode()}).containsExactly(0, 0, 0);
        memory(0);
        assertThat(d.dropEntryActive()).isFalse();
        assertThat(d.secureTcpActive()).isFalse();
        assertThat(d.shouldDropPacket()).isFalse();
        assertThat(d.amDropRate()).isEqualTo(10);
        assertThat(DefenseState.DEFAULT_THRESHOLD_BYTES).isEqualTo(4L * 1024 * 1024);
    }

    @Property
    void activeExactlyWhenAlwaysOrAutoWithLowMemory(@ForAll @IntRange(min = 0, max = 3) int mode,
            @ForAll @LongRange(min = -1, max = 3 * THRESHOLD) long available) {
        AtomicLong m = new AtomicLong(available);
        DefenseState x = new DefenseState(m::get, THRESHOLD);
        x.setDropEntryMode(mode);
        x.setSecureTcpMode(mode);
        x.setDropPacketMode(mode);
        x.update();
        boolean low = available >= 0 && available < THRESHOLD;
        boolean expected = mode == 3 || (mode != 0 && low);
        assertThat(x.dropEntryActive()).isEqualTo(expected);
        assertThat(x.secureTcpActive()).isEqualTo(expected);
        assertThat(x.dropRate() > 0).isEqualTo(expected);
        int expectedMode = (mode == 1 || mode == 2) ? (low ? 2 : 1) : mode;
        assertThat(x.secureTcpMode()).isEqualTo(expectedMode);
    }
}
