package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddrTableTest {

    /** Random inserts, removals and filtered sweeps agree with a HashMap (tiny key space: many collisions). */
    @Property(tries = 300)
    void behavesLikeAMap(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 199) Integer> ops, @ForAll long seed) {
        AddrTable t = new AddrTable(seed, 4, 1000);
        Map<Long, Long> model = new HashMap<>();
        for (int op : ops) {
            long key = op % 50;
            long hi = key * 0x1_0000_0001L;
            long h = AddrTable.hash(seed, hi, key);
            int s = t.find(h, hi, key);
            assertThat(s >= 0).isEqualTo(model.containsKey(key));
            if (op < 100) {
                if (s < 0) {
                    assertThat(t.insert(h, hi, key, "v" + key, op, key)).isGreaterThanOrEqualTo(0);
                } else {
                    t.used(s, op);
                }
                model.put(key, (long) op);
            } else if (op < 190) {
                if (s >= 0) {
                    t.removeAt(s);
                }
                model.remove(key);
            } else {
                long limit = op - 190;
                t.removeIf((tt, slot) -> tt.aux(slot) % 10 == limit);
                model.keySet().removeIf(k -> k % 10 == limit);
            }
            assertThat(t.size()).isEqualTo(model.size());
        }
        for (long key = 0; key < 50; key++) {
            long hi = key * 0x1_0000_0001L;
            int s = t.find(AddrTable.hash(seed, hi, key), hi, key);
            if (model.containsKey(key)) {
                assertThat(s).isGreaterThanOrEqualTo(0);
                assertThat(t.value(s)).isEqualTo("v" + key);
                assertThat(t.used(s)).isEqualTo(model.get(key));
                assertThat(t.aux(s)).isEqualTo(key);
            } else {
                assertThat(s).isNegative();
            }
        }
    }

    @Test
    void refusesInsertsBeyondItsHardLimit() {
        AddrTable t = new AddrTable(1, 4, 10);
        for (long k = 0; k < 10; k++) {
            assertThat(t.insert(AddrTable.hash(1, 0, k), 0, k, "x", 0, 0)).isGreaterThanOrEqualTo(0);
        }
        assertThat(t.insert(AddrTable.hash(1, 0, 99), 0, 99, "x", 0, 0)).isEqualTo(-1);
        assertThat(t.size()).isEqualTo(10);
        assertThat(t.capacity()).isLessThanOrEqualTo(64);
    }
}
