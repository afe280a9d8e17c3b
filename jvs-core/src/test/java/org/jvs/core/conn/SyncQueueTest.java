package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SyncQueueTest {
    @Test
    void itemsComeOutOnceInOrderAndAFullRingCountsWhatItDrops() {
        SyncQueue q = new SyncQueue(4);
        assertThat(q.poll()).isEqualTo(SyncQueue.EMPTY);
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(i | (i % 2 == 0 ? SyncQueue.V6 : 0))).isTrue();
        }
        assertThat(q.offer(99)).isFalse();
        assertThat(q.overflows()).isEqualTo(1);
        assertThat(q.poll()).isEqualTo(0 | SyncQueue.V6);
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.offer(7)).isTrue();
        assertThat(q.poll()).isEqualTo(2 | SyncQueue.V6);
        assertThat(q.poll()).isEqualTo(3);
        assertThat(q.poll()).isEqualTo(7);
        assertThat(q.poll()).isEqualTo(SyncQueue.EMPTY);
        assertThatThrownBy(() -> new SyncQueue(6)).hasMessageContaining("power of two");
    }

    @Test
    void concurrentProducersLoseNothingTheyWereToldWasQueued() throws Exception {
        SyncQueue q = new SyncQueue(1 << 10);
        int producers = 4;
        int each = 200_000;
        BitSet seen = new BitSet(producers * each);
        long[] accepted = new long[producers];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            int id = p;
            ts[p] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    if (q.offer(id * each + i)) {
                        accepted[id]++;
                    }
                }
            });
        }
        start.countDown();
        long received = 0;
        boolean running = true;
        while (running) {
            running = false;
            for (Thread t : ts) {
                running |= t.isAlive();
            }
            for (int v = q.poll(); v != SyncQueue.EMPTY; v = q.poll()) {
                assertThat(seen.get(v)).as("item %d twice", v).isFalse();
                seen.set(v);
                received++;
            }
        }
        for (int v = q.poll(); v != SyncQueue.EMPTY; v = q.poll()) {
            seen.set(v);
            received++;
        }
        long sent = 0;
        for (long a : accepted) {
            sent += a;
        }
        assertThat(received).isEqualTo(sent);
        assertThat(sent + q.overflows()).isEqualTo((long) producers * each);
    }
}
