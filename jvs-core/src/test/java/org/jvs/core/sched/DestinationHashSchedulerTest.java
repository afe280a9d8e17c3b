package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.context;
import static org.jvs.core.sched.SchedTesting.toDestination;

import java.util.HashSet;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.SchedFlag;
import org.junit.jupiter.api.Test;

class DestinationHashSchedulerTest {

    private static DestinationHashScheduler dh(Dest[] ds, SchedFlag... flags) {
        DestinationHashScheduler s = new DestinationHashScheduler(context("dh", flags));
        s.update(ds);
        return s;
    }

    private static int site(int i) {
        return 0xCB00_7100 + i * 104_729;
    }

    @Test
    void keyedByDestinationAddressNotBySource() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        DestinationHashScheduler s = dh(ds);
        Set<Dest> used = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Dest first = s.schedule(toDestination(site(i)));
            used.add(first);
            for (int client = 1; client < 20; client++) {
                Flow f = new Flow().setV4(6, 0x0B00_0000 + client * 31, 1000 + client, site(i), 80 + client);
                assertThat(s.schedule(f)).isSameAs(first);
            }
        }
        assertThat(used).containsExactlyInAnyOrder(ds);
    }

    @Test
    void quiescedServerGivesNoneWithoutFallbackAndOthersStay() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        DestinationHashScheduler s = dh(ds);
        Dest[] before = new Dest[2000];
        for (int i = 0; i < before.length; i++) {
            before[i] = s.schedule(toDestination(site(i)));
        }
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        for (int i = 0; i < before.length; i++) {
            assertThat(s.schedule(toDestination(site(i)))).isSameAs(before[i] == ds[0] ? null : before[i]);
        }
    }

    @Test
    void fallbackFindsAUsableServer() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        DestinationHashScheduler s = dh(ds, SchedFlag.SH_FALLBACK);
        Dest[] before = new Dest[2000];
        for (int i = 0; i < before.length; i++) {
            before[i] = s.schedule(toDestination(site(i)));
        }
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        for (int i = 0; i < before.length; i++) {
            Dest now = s.schedule(toDestination(site(i)));
            assertThat(now).isSameAs(before[i] == ds[0] ? now : before[i]).isNotNull().isNotSameAs(ds[0]);
        }
    }
}
