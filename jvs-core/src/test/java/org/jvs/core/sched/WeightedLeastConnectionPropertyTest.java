package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;

/**
 * wlc against exact rational arithmetic. A class of its own: when one class mixes jqwik properties with
 * JUnit Jupiter tests, the two engines each report it to surefire and one report file overwrites the other.
 */
class WeightedLeastConnectionPropertyTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    /** The pick has the least ratio, and no earlier server ties. */
    @Property(tries = 200)
    void picksTheFirstServerWithTheLeastOverheadPerWeight(
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 1000) Integer> weights,
            @ForAll @Size(6) List<@IntRange(min = 0, max = 600) Integer> inactive,
            @ForAll @Size(6) List<@IntRange(min = 0, max = 3) Integer> active) {
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

    private static Scheduler scheduler(Dest[] ds) {
        Scheduler wlc = new WeightedLeastConnectionScheduler();
        wlc.update(ds);
        return wlc;
    }
}
