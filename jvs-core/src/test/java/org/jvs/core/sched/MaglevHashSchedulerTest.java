package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.fromSource;
import static org.jvs.core.sched.SchedTesting.mhContext;

import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaglevHashSchedulerTest {
    private static final int M = ServiceSpec.DEFAULT_MH_TABLE_SIZE;

    private static MaglevHashScheduler mh(Dest[] ds, int m, SchedFlag... flags) {
        MaglevHashScheduler s = new MaglevHashScheduler(mhContext(m, flags));
        s.update(ds);
        return s;
    }

    private static int[] equalWeights(int n) {
        int[] w = new int[n];
        Arrays.fill(w, 1);
        return w;
    }

    private static Map<Dest, Integer> shares(Dest[] slots) {
        Map<Dest, Integer> count = new IdentityHashMap<>();
        for (Dest d : slots) {
            count.merge(d, 1, Integer::sum);
        }
        return count;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10, 100, 500})
    void equalWeightsGiveEveryServerItsShareWithinOnePercent(int n) {
        Dest[] ds = DestFixtures.pool(equalWeights(n));
        Dest[] slots = mh(ds, M).slots();
        assertThat(slots).hasSize(M);
        Map<Dest, Integer> count = shares(slots);
        assertThat(count).hasSize(n);
        double fair = (double) M / n;
        for (Dest d : ds) {
            assertThat(Math.abs(count.get(d) - fair)).as("slots of %s", d).isLessThanOrEqualTo(0.01 * fair);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10, 100, 500})
    void removingOneOfNServersMovesLittleMoreThanItsOwnKeys(int n) {
        Dest[] ds = DestFixtures.pool(equalWeights(n));
        MaglevHashScheduler s = mh(ds, M);
        Dest[] before = s.slots();
        Dest gone = ds[n / 2];
        s.update(Arrays.stream(ds).filter(d -> d != gone).toArray(Dest[]::new));
        Dest[] after = s.slots();
        int moved = 0;
        for (int i = 0; i < M; i++) {
            if (before[i] != after[i]) {
                moved++;
            }
            assertThat(after[i]).isNotSameAs(gone);
        }
        assertThat((double) moved / M).isLessThanOrEqualTo(1.0 / n + 0.01);
    }

    @Test
    void weightsOneToTwoGiveOneToTwoShares() {
        Dest[] ds = DestFixtures.pool(1, 2);
        Map<Dest, Integer> count = shares(mh(ds, M).slots());
        assertThat((double) count.get(ds[0]) / M).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(0.01));
        assertThat((double) count.get(ds[1]) / M).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void quiescingKeepsTheTableSoOnlyThatServersClientsAreAffected() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1, 1);
        MaglevHashScheduler s = mh(ds, M);
        Dest[] slotsBefore = s.slots();
        Dest[] before = new Dest[20_000];
        for (int i = 0; i < before.length; i++) {
            before[i] = s.schedule(fromSource(0x0B00_0000 + i * 13, 2000));
        }
        DestFixtures.weight(ds[3], 0);
        s.update(ds);
        assertThat(s.slots()).containsExactly(slotsBefore);
        int lost = 0;
        for (int i = 0; i < before.length; i++) {
            Dest now = s.schedule(fromSource(0x0B00_0000 + i * 13, 2000));
            if (before[i] == ds[3]) {
                assertThat(now).isNull();
                lost++;
            } else {
                assertThat(now).isSameAs(before[i]);
            }
        }
        assertThat(lost).isBetween(3000, 5000);
    }

    @Test
    void fallbackSendsAnUnusableServersClientsToUsableOnesAndNobodyElseMoves() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1, 1);
        MaglevHashScheduler s = mh(ds, M, SchedFlag.MH_FALLBACK);
        Dest[] before = new Dest[20_000];
        for (int i = 0; i < before.length; i++) {
            before[i] = s.schedule(fromSource(0x0B00_0000 + i * 13, 2000));
        }
        SchedTesting.overload(ds[1]);
        DestFixtures.weight(ds[3], 0);
        s.update(ds);
        Set<Dest> refuge = new HashSet<>();
        for (int i = 0; i < before.length; i++) {
            Dest now = s.schedule(fromSource(0x0B00_0000 + i * 13, 2000));
            if (before[i] == ds[1] || before[i] == ds[3]) {
                assertThat(now).isIn(ds[0], ds[2], ds[4]);
                refuge.add(now);
            } else {
                assertThat(now).isSameAs(before[i]);
            }
        }
        assertThat(refuge).containsExactlyInAnyOrder(ds[0], ds[2], ds[4]);
    }

    @Test
    void fallbackFindsTheLastUsableServerAndNothingWhenNoneIs() {
        Dest[] ds = DestFixtures.pool(equalWeights(50));
        MaglevHashScheduler s = mh(ds, 1009, SchedFlag.MH_FALLBACK);
        for (int i = 1; i < ds.length; i++) {
            DestFixtures.weight(ds[i], 0);
        }
        s.update(ds);
        for (int i = 0; i < 1000; i++) {
            assertThat(s.schedule(fromSource(i * 7, 1))).isSameAs(ds[0]);
        }
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        assertThat(s.schedule(fromSource(1, 1))).isNull();
    }

    @Test
    void sameTableOnEveryDirectorWhateverTheOrderServersWereAddedIn() {
        Dest[] a = DestFixtures.pool(1, 2, 3, 1);
        Dest[] b = DestFixtures.pool(1, 2, 3, 1);
        Dest[] reversed = {b[3], b[2], b[1], b[0]};
        Dest[] slotsA = mh(a, 1009).slots();
        Dest[] slotsB = mh(reversed, 1009).slots();
        for (int i = 0; i < slotsA.length; i++) {
            assertThat(slotsB[i].label()).isEqualTo(slotsA[i].label());
        }
    }

    @Test
    void mhPortSpreadsOneAddressOverServers() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        MaglevHashScheduler withPort = mh(ds, 1009, SchedFlag.MH_PORT);
        MaglevHashScheduler withoutPort = mh(ds, 1009);
        Set<Dest> byPort = new HashSet<>();
        Set<Dest> byAddress = new HashSet<>();
        for (int port = 1024; port < 1324; port++) {
            byPort.add(withPort.schedule(fromSource(0x0101_0101, port)));
            byAddress.add(withoutPort.schedule(fromSource(0x0101_0101, port)));
        }
        assertThat(byPort).containsExactlyInAnyOrder(ds);
        assertThat(byAddress).hasSize(1);
    }

    @Test
    void emptyOrNeverWeightedPoolGivesNone() {
        assertThat(mh(new Dest[0], 1009, SchedFlag.MH_FALLBACK).schedule(fromSource(1, 1))).isNull();
        assertThat(mh(DestFixtures.pool(0, 0), 1009, SchedFlag.MH_FALLBACK).schedule(fromSource(1, 1))).isNull();
        Dest[] ds = DestFixtures.pool(0, 1);
        Dest[] slots = mh(ds, 1009).slots();
        assertThat(shares(slots)).containsOnlyKeys(ds[1]);
    }

    @Property(tries = 100)
    void quiescingAnyServerMovesNoOtherServersSlots(@ForAll @Size(min = 2, max = 8) int[] rawWeights,
                                                    @ForAll @IntRange(min = 0, max = 7) int pick) {
        int[] weights = Arrays.stream(rawWeights).map(w -> 1 + Math.floorMod(w, 5)).toArray();
        Dest[] ds = DestFixtures.pool(weights);
        MaglevHashScheduler s = mh(ds, 1009);
        Dest[] before = s.slots();
        Dest quiesced = ds[pick % ds.length];
        DestFixtures.weight(quiesced, 0);
        s.update(ds);
        assertThat(s.slots()).containsExactly(before);
        for (int i = 0; i < 200; i++) {
            Flow f = fromSource(i * 7919, 1);
            Dest d = s.schedule(f);
            assertThat(d).isNotSameAs(quiesced);
        }
    }
}
