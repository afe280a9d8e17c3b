package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-plane threads scheduling while the control thread adds and removes servers and housekeeping
 * expires and trims entries (a tiny bound forces constant trimming and growth): every answer must be a
 * usable server and the stripes must stay consistent (no lost or corrupted entries, no exceptions).
 */
class LocalityConcurrencyTest {

    @ParameterizedTest
    @ValueSource(strings = {"lblc", "lblcr"})
    void schedulingRacesWithUpdatesAndHousekeeping(String name) throws InterruptedException {
        ManualClock clock = new ManualClock();
        Scheduler s = name.equals("lblc")
                ? new LocalityLeastConnectionScheduler(clock, Duration.ofSeconds(5), 64)
                : new LocalityLeastConnectionReplicationScheduler(clock, Duration.ofSeconds(5), Duration.ofSeconds(2), 64);
        Dest[] all = DestFixtures.pool(3, 3, 3, 3);
        Dest[] withoutLast = {all[0], all[1], all[2]};
        s.update(all);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int seed = w;
            workers.add(Thread.ofPlatform().start(() -> {
                Flow f = new Flow();
                int i = seed;
                try {
                    while (!stop.get()) {
                        i = i * 1_103_515_245 + 12345;
                        f.setV4(6, 0x0B00_0001, 1000, 0xCB00_0000 + ((i >>> 8) & 1023), 80);
                        Dest d = s.schedule(f);
                        assertThat(d).isNotNull();
                        assertThat(d.weight()).isPositive();
                        // Pretend a connection came and went, so the loads move and sets change.
                        d.connBound(true);
                        d.connUnbound(true);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (int round = 0; round < 400; round++) {
            s.update(round % 2 == 0 ? withoutLast : all);
            DestFixtures.conns(all[round % 4], round % 7, 0);
            clock.advance(Duration.ofMillis(700));
            s.housekeeping();
            Thread.sleep(0, 200_000);
        }
        stop.set(true);
        for (Thread t : workers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        Flow f = new Flow().setV4(6, 0x0B00_0001, 1000, 0xCB00_0001, 80);
        Dest d = s.schedule(f);
        assertThat(s.schedule(f)).isSameAs(d);
        assertThat(s.preview(f)).isSameAs(d);
    }
}
