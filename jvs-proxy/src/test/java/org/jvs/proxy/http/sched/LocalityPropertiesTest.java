package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jvs.core.time.ManualClock;

/**
 * The thesis' two promises as properties: a target's server changes only under serious imbalance (or when
 * the server becomes unusable), and with admission limited to Σ high no server goes past 2·high however
 * skewed (Zipf) the request mix.
 */
class LocalityPropertiesTest {

    /** Zipf(s = 1) over n targets, by inverse transform on the precomputed CDF. */
    static final class Zipf {
        final double[] cdf;

        Zipf(int n) {
            cdf = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1.0 / (i + 1);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
        }

        int next(Random r) {
            int i = java.util.Arrays.binarySearch(cdf, r.nextDouble());
            return i >= 0 ? i : -i - 1;
        }
    }

    static final List<L7Request> TARGETS = new ArrayList<>();

    static {
        for (int i = 0; i < 2000; i++) {
            TARGETS.add(Requests.get(i % 5 == 0 ? "/cgi/t" + i + "?q=1" : "/static/t" + i + ".html"));
        }
    }

    record InFlight(L7Server server, int units) {
    }

    @Property(tries = 60)
    void lblcMovesATargetOnlyUnderTheThesisConditions(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int nodes) {
        Random r = new Random(seed);
        ServerSet s = Requests.servers(nodes);
        Lblc lblc = new Lblc(s, 65536, L7Schedulers.DEFAULT_EXPIRE_NANOS, new ManualClock());
        L7Server[] last = new L7Server[TARGETS.size()];
        Zipf zipf = new Zipf(TARGETS.size());
        List<InFlight> inFlight = new ArrayList<>();
        for (int step = 0; step < 4000; step++) {
            if (r.nextInt(10) == 0) {
                s.get(r.nextInt(nodes)).weight(r.nextInt(4) == 0 ? 0 : 1);
            }
            if (!inFlight.isEmpty() && r.nextInt(100) < 48) {
                InFlight done = inFlight.remove(r.nextInt(inFlight.size()));
                done.server.end(done.units);
                continue;
            }
            int t = zipf.next(r);
            L7Request req = TARGETS.get(t);
            L7Server before = last[t];
            boolean mayMove = before == null || !before.usable() || s.imbalanced(before, s.all());
            L7Server n = lblc.pick(req);
            if (n == null) {
                last[t] = null; // no usable server: the target is forgotten and learnt again
                continue;
            }
            if (!mayMove) {
                assertThat(n).as("target %d moved without cause", t).isSameAs(before);
            }
            last[t] = n;
            n.begin(req.units());
            inFlight.add(new InFlight(n, req.units()));
        }
    }

    @Property(tries = 40)
    void withAdmissionNoServerPassesTwiceHigh(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int nodes,
                                              @ForAll boolean replicate) {
        Random r = new Random(seed);
        ServerSet s = Requests.servers(nodes);
        ManualClock clock = new ManualClock();
        RequestScheduler sched = replicate
                ? new Lblcr(s, 4096, Lblcr.DEFAULT_K_NANOS, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock)
                : new Lblc(s, 4096, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);
        Zipf zipf = new Zipf(TARGETS.size());
        List<InFlight> inFlight = new ArrayList<>();
        int limit = s.admissionLimit();
        int units = 0;
        int maxSeen = 0;
        for (int step = 0; step < 20000; step++) {
            clock.advanceSeconds(r.nextInt(3));
            // arrivals outpace completions, so the cluster sits at its admission limit most of the time
            if (!inFlight.isEmpty() && (units >= limit || r.nextInt(100) < 45)) {
                InFlight done = inFlight.remove(r.nextInt(inFlight.size()));
                done.server.end(done.units);
                units -= done.units;
                continue;
            }
            L7Request req = TARGETS.get(zipf.next(r));
            L7Server n = sched.pick(req);
            n.begin(req.units());
            units += req.units();
            inFlight.add(new InFlight(n, req.units()));
            for (int i = 0; i < nodes; i++) {
                maxSeen = Math.max(maxSeen, s.get(i).conns());
                assertThat(s.get(i).conns()).as("server %d", i).isLessThanOrEqualTo(2 * s.get(i).high() + 1);
            }
        }
        assertThat(maxSeen).as("the mix did load the servers").isGreaterThan(L7Server.DEFAULT_HIGH);
    }
}
