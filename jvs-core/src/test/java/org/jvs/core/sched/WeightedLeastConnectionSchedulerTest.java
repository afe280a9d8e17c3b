package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class WeightedLeastConnectionSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void loadFollowsWeight() {
        Dest[] ds = DestFixtures.pool(1, 3);
        DestFixtures.conns(ds[0], 1, 0); // 256 per unit of weight
        DestFixtures.conns(ds[1], 2, 0); // 170.7 per unit of weight
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void comparesExactRatiosWhereIntegerDivisionWouldTie() {
        Dest[] ds = DestFixtures.pool(2, 1);
        DestFixtures.conns(ds[0], 0, 3); // 3/2 = 1.5, truncated to 1
        DestFixtures.conns(ds[1], 0, 1); // 1/1 = 1.0
        // Division would see 1 == 1 and keep the first server.
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void crossProductsDoNotOverflow() {
        Dest[] ds = DestFixtures.pool(50_000, 65_535);
        DestFixtures.conns(ds[0], 1000, 0); // overhead 256000: 5.12 per unit of weight
        DestFixtures.conns(ds[1], 1000, 0); // 3.9 per unit of weight
        // 256000 * 65535 is past Integer.MAX_VALUE: int arithmetic would wrap and keep the first server.
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void equalRatiosKeepTheEarlierServer() {
        Dest[] ds = DestFixtures.pool(3, 1, 2, 1);
        DestFixtures.conns(ds[0], 0, 9); // 3 per weight
        DestFixtures.conns(ds[1], 0, 2); // 2 per weight
        DestFixtures.conns(ds[2], 0, 4); // 2 per weight
        DestFixtures.conns(ds[3], 0, 2); // 2 per weight
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void skipsQuiescedAndOverloaded() {
        Dest[] ds = DestFixtures.pool(0, 5, 1);
        DestFixtures.edit(ds[1], ds[1].spec().withThresholds(2, 0));
        DestFixtures.conns(ds[1], 2, 0);
        DestFixtures.conns(ds[2], 50, 0);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[2]);
    }

    /** Checked against exact rational arithmetic: the pick has the least ratio, and no earlier server ties. */
    @Property(tries = 200)
    void picksTheFirstServerWithTheLeastOverheadPerWeight(
            @ForAll @Size(min = 1, max = 6) java.util.List<@IntRange(min = 0, max = 1000) Integer> weights,
            @ForAll @Size(6) java.util.List<@IntRange(min = 0, max = 600) Integer> inactive,
            @ForAll @Size(6) java.util.List<@IntRange(min = 0, max = 3) Integer> active) {
        Dest[] ds = DestFixtures.pool(weights.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < ds.length; i++) {
            DestFixtures.conns(ds[i], active.get(i), inactive.get(i));
        }
        Dest pick = scheduler(ds).schedule(flow);
        if (weights.stream().allMatch(w -> w == 0)) {
            assertThat(pick).isNull();
            return;
        }
        assertThat(pick).isNotNull();
        assertThat(pick.weight()).isPositive();
        boolean beforePick = true;
        for (Dest d : ds) {
            if (d == pick) {
                beforePick = false;
                continue;
            }
            if (d.weight() == 0) {
                continue;
            }
            // pick.overhead / pick.weight versus d.overhead / d.weight
            int cmp = BigInteger.valueOf(pick.overhead()).multiply(BigInteger.valueOf(d.weight()))
                    .compareTo(BigInteger.valueOf(d.overhead()).multiply(BigInteger.valueOf(pick.weight())));
            if (beforePick) {
                assertThat(cmp).as("%s must be strictly less loaded than earlier %s", pick, d).isNegative();
            } else {
                assertThat(cmp).as("%s must not be more loaded than %s", pick, d).isLessThanOrEqualTo(0);
            }
        }
    }

    private static WeightedLeastConnectionScheduler scheduler(Dest[] ds) {
        WeightedLeastConnectionScheduler wlc = new WeightedLeastConnectionScheduler();
        wlc.update(ds);
        return wlc;
    }
}
