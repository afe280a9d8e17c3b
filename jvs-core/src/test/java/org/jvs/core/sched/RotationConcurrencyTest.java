package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * rr and wrr keep their position in one atomic word advanced by CAS. If two threads could both take the
 * same step (a lost update) or mix their steps, the counts over whole cycles would drift from the weights;
 * with correct CAS the picks of all threads together are exactly the serial sequence. A race shows only when
 * the threads really overlap, so a broken CAS is caught most runs rather than every run; a correct one
 * never fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RotationConcurrencyTest {
    private static final int THREADS = 2;
    private static final int PICKS_PER_THREAD = 900_000;

    @Test
    void roundRobinSharesExactlyEvenOverWholeCycles() throws Exception {
        Dest[] ds = DestFixtures.pool(1, 0, 1, 1);
        RoundRobinScheduler rr = new RoundRobinScheduler();
        rr.update(ds);
        long[] counts = pickConcurrently(rr, ds.length);
        long total = (long) THREADS * PICKS_PER_THREAD;
        assertThat(total % 3).as("whole cycles").isZero();
        assertThat(counts).containsExactly(total / 3, 0, total / 3, total / 3);
    }

    @Test
    void weightedRoundRobinSharesExactlyByWeightOverWholeCycles() throws Exception {
        Dest[] ds = DestFixtures.pool(4, 3, 2);
        WeightedRoundRobinScheduler wrr = new WeightedRoundRobinScheduler();
        wrr.update(ds);
        long[] counts = pickConcurrently(wrr, ds.length);
        long cycles = (long) THREADS * PICKS_PER_THREAD / 9;
        assertThat(cycles * 9).as("whole cycles").isEqualTo((long) THREADS * PICKS_PER_THREAD);
        assertThat(counts).containsExactly(4 * cycles, 3 * cycles, 2 * cycles);
        // And the rotation is exactly where a serial run of as many picks would leave it: a new cycle.
        Flow flow = flow(0);
        StringBuilder next = new StringBuilder();
        for (int k = 0; k < 9; k++) {
            next.append(WeightedRoundRobinSchedulerTest.letter(ds, wrr.schedule(flow)));
        }
        assertThat(next.toString()).isEqualTo("AABABCABC");
    }

    @Test
    void weightedRoundRobinSurvivesListChangesDuringPicks() throws Exception {
        Dest[] all = DestFixtures.pool(5, 1, 3, 2, 4);
        Dest[] fewer = {all[0], all[2]};
        WeightedRoundRobinScheduler wrr = new WeightedRoundRobinScheduler();
        wrr.update(all);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread picker = new Thread(() -> {
            try {
                start.await();
                Flow flow = flow(1);
                for (int k = 0; k < PICKS_PER_THREAD; k++) {
                    assertThat(wrr.schedule(flow)).isNotNull().isIn((Object[]) all);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        picker.start();
        start.countDown();
        for (int k = 0; picker.isAlive() && k < 1_000_000; k++) {
            wrr.update(k % 2 == 0 ? fewer : all);
        }
        picker.join();
        assertThat(failure.get()).isNull();
    }

    /** Every thread picks PICKS_PER_THREAD times, all starting together; returns picks per dest id. */
    private static long[] pickConcurrently(Scheduler s, int servers) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[][] perThread = new long[THREADS][servers];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < THREADS; t++) {
            long[] mine = perThread[t];
            Flow flow = flow(t);
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int k = 0; k < PICKS_PER_THREAD; k++) {
                        mine[s.schedule(flow).id()]++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failure.get()).isNull();
        long[] counts = new long[servers];
        for (long[] mine : perThread) {
            for (int i = 0; i < servers; i++) {
                counts[i] += mine[i];
            }
        }
        return counts;
    }

    private static Flow flow(int thread) {
        return new Flow().setV4(6, 0x0101_0101 + thread, 1000 + thread, 0x0A00_0064, 80);
    }
}
