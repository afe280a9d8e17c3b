package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.context;
import static org.jvs.core.sched.SchedTesting.fromSource;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.SchedFlag;
import org.junit.jupiter.api.Test;

class SourceHashSchedulerTest {
    private static final int CLIENTS = 5000;

    private static SourceHashScheduler sh(Dest[] ds, SchedFlag... flags) {
        SourceHashScheduler s = new SourceHashScheduler(context("sh", flags));
        s.update(ds);
        return s;
    }

    private static int client(int i) {
        return 0xC0A8_0000 + i * 7919;
    }

    private static Map<Integer, Dest> assignments(SourceHashScheduler s) {
        Map<Integer, Dest> m = new HashMap<>();
        for (int i = 0; i < CLIENTS; i++) {
            m.put(i, s.schedule(fromSource(client(i), 1000 + i)));
        }
        return m;
    }

    @Test
    void sameSourceAlwaysReachesSameServerWhateverItsPort() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1);
        SourceHashScheduler s = sh(ds);
        Set<Dest> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Dest first = s.schedule(fromSource(client(i), 1000));
            used.add(first);
            for (int port = 1001; port < 1050; port++) {
                assertThat(s.schedule(fromSource(client(i), port))).isSameAs(first);
            }
        }
        assertThat(used).containsExactlyInAnyOrder(ds);
    }

    @Test
    void quiescingOneServerMovesOnlyItsClientsAndWithoutFallbackTheyGetNone() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1);
        SourceHashScheduler s = sh(ds);
        Map<Integer, Dest> before = assignments(s);
        DestFixtures.weight(ds[1], 0);
        s.update(ds);
        Map<Integer, Dest> after = assignments(s);
        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (before.get(i) == ds[1]) {
                assertThat(after.get(i)).isNull();
                moved++;
            } else {
                assertThat(after.get(i)).isSameAs(before.get(i));
            }
        }
        assertThat(moved).isBetween(CLIENTS / 8, CLIENTS * 3 / 8);
    }

    @Test
    void withFallbackTheQuiescedServersClientsGoToUsableServersAndNobodyElseMoves() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1);
        SourceHashScheduler s = sh(ds, SchedFlag.SH_FALLBACK);
        Map<Integer, Dest> before = assignments(s);
        DestFixtures.weight(ds[1], 0);
        s.update(ds);
        Set<Dest> refuge = new HashSet<>();
        for (int i = 0; i < CLIENTS; i++) {
            Dest now = s.schedule(fromSource(client(i), 1000 + i));
            if (before.get(i) == ds[1]) {
                assertThat(now).isNotNull().isNotSameAs(ds[1]);
                assertThat(now.isUsable()).isTrue();
                refuge.add(now);
            } else {
                assertThat(now).isSameAs(before.get(i));
            }
        }
        // The quiesced server's buckets are spread over the table, so its clients spread too.
        assertThat(refuge).hasSize(3);
    }

    @Test
    void overloadedServerIsSkippedWithoutMovingOthers() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        SourceHashScheduler s = sh(ds);
        Map<Integer, Dest> before = assignments(s);
        SchedTesting.overload(ds[2]);
        s.update(ds);
        assertThat(ds[2].isOverloaded()).isTrue();
        Map<Integer, Dest> after = assignments(s);
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(after.get(i)).isSameAs(before.get(i) == ds[2] ? null : before.get(i));
        }
    }

    @Test
    void restoringTheWeightRestoresTheOldAssignment() {
        Dest[] ds = DestFixtures.pool(2, 1, 1);
        SourceHashScheduler s = sh(ds);
        Map<Integer, Dest> before = assignments(s);
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        DestFixtures.weight(ds[0], 2);
        s.update(ds);
        assertThat(assignments(s)).isEqualTo(before);
    }

    @Test
    void bucketsFollowWeights() {
        Dest[] ds = DestFixtures.pool(1, 3);
        SourceHashScheduler s = sh(ds);
        int[] count = new int[2];
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            count[s.schedule(fromSource(0x0B00_0000 + i, 1000)) == ds[0] ? 0 : 1]++;
        }
        // 64 of 256 buckets: a quarter of the clients, within 2 percentage points.
        assertThat((double) count[0] / n).isBetween(0.23, 0.27);
    }

    @Test
    void shPortSpreadsOneAddressOverServersByPort() {
        Dest[] ds = DestFixtures.pool(1, 1, 1, 1);
        SourceHashScheduler withPort = sh(ds, SchedFlag.SH_PORT);
        SourceHashScheduler withoutPort = sh(ds);
        Set<Dest> byPort = new HashSet<>();
        Set<Dest> byAddress = new HashSet<>();
        for (int port = 1024; port < 1424; port++) {
            Dest d = withPort.schedule(fromSource(0x0101_0101, port));
            assertThat(withPort.schedule(fromSource(0x0101_0101, port))).isSameAs(d);
            byPort.add(d);
            byAddress.add(withoutPort.schedule(fromSource(0x0101_0101, port)));
        }
        assertThat(byPort).containsExactlyInAnyOrder(ds);
        assertThat(byAddress).hasSize(1);
    }

    @Test
    void noUsableServerOrNoServerGivesNone() {
        SourceHashScheduler empty = sh(new Dest[0], SchedFlag.SH_FALLBACK);
        assertThat(empty.schedule(fromSource(1, 1))).isNull();
        Dest[] ds = DestFixtures.pool(1, 1);
        SourceHashScheduler s = sh(ds, SchedFlag.SH_FALLBACK);
        DestFixtures.weight(ds[0], 0);
        DestFixtures.weight(ds[1], 0);
        s.update(ds);
        assertThat(s.schedule(fromSource(1, 1))).isNull();
        SourceHashScheduler neverWeighted = sh(DestFixtures.pool(0, 0), SchedFlag.SH_FALLBACK);
        assertThat(neverWeighted.schedule(fromSource(1, 1))).isNull();
    }

    @Test
    void removingAServerReplacesTheTable() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        SourceHashScheduler s = sh(ds, SchedFlag.SH_FALLBACK);
        s.update(new Dest[] {ds[0], ds[2]});
        for (int i = 0; i < 1000; i++) {
            assertThat(s.schedule(fromSource(client(i), 1))).isIn(ds[0], ds[2]);
        }
    }

    @Test
    void hashesIpv6Sources() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        SourceHashScheduler s = sh(ds);
        Set<Dest> used = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Flow f = new Flow().set(6, org.jvs.core.model.IpAddr.v6(0x2001_0db8_0000_0000L + i, 1), 1000,
                    org.jvs.core.model.IpAddr.parse("2001:db8::100"), 80);
            Dest d = s.schedule(f);
            assertThat(s.schedule(f)).isSameAs(d);
            used.add(d);
        }
        assertThat(used).containsExactlyInAnyOrder(ds);
    }

    @Property(tries = 200)
    void quiescingAnyServerMovesNoOtherClient(@ForAll int src, @ForAll @IntRange(min = 0, max = 4) int quiesced,
                                              @ForAll @IntRange(min = 1, max = 9) int w0) {
        Dest[] ds = DestFixtures.pool(w0, 2, 3, 1, 5);
        SourceHashScheduler s = sh(ds);
        Flow f = fromSource(src, 5555);
        Dest before = s.schedule(f);
        DestFixtures.weight(ds[quiesced], 0);
        s.update(ds);
        assertThat(s.schedule(f)).isSameAs(before == ds[quiesced] ? null : before);
    }
}
