package org.jvs.core.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvs.core.time.Clock;

/**
 * Estimates the rates of every registered {@link Stats}: connections, packets and bytes per second in each
 * direction, smoothed as IPVS does (ip_vs_est.c, thesis 5.2.8): every 2 s, {@code rate = delta / elapsed}
 * and {@code avg += (rate - avg) / 4}, so after k intervals of constant traffic {@code avg = rate (1 - (3/4)^k)}.
 *
 * <p>Threads: {@link #estimate()} runs on one timer thread every 2 s; {@link #register} and
 * {@link #unregister} come from the control thread at any time, also while an estimate is running (the
 * registry is a concurrent map; each entry's own state is touched only inside {@code estimate}, under a
 * lock that only {@code estimate} takes). A Stats unregistered during an estimate may get one last
 * publication; that is harmless since nobody estimates it afterwards.
 *
 * <p>Elapsed time is measured per Stats from the clock, not assumed to be 2 s: a late timer tick, or a Stats
 * registered between ticks, still gets a correct per-second figure.
 *
 * <p>Zeroing ({@link Stats#zero()}, {@code ipvsadm -Z}) is detected two ways: the Stats no longer holds the
 * rates this estimator published last (zero() replaces them with {@link Stats.Rates#ZERO}), or a total is
 * below the previous sample. Either way the estimate restarts from the current totals with zero averages,
 * never reporting a negative rate. This relies on this estimator being the only publisher for the Stats,
 * which {@link Stats#publishRates} asks of everyone. A zero() racing with a round can leave the pre-zero
 * averages visible until the next round, which then sees the smaller totals and restarts.
 */
public final class RateEstimator {
    /** The cadence the caller is expected to keep; only used for documentation and the caller's timer. */
    public static final long INTERVAL_SECONDS = 2;

    private final Clock clock;
    private final Map<Stats, Estimate> estimates = new ConcurrentHashMap<>();
    private final Object estimating = new Object();

    public RateEstimator(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts estimating {@code s}, counting from its totals now (so a Stats with history does not show its
     * whole history as one burst). Registering twice is a no-op.
     */
    public void register(Stats s) {
        estimates.computeIfAbsent(s, k -> new Estimate(k, clock.nanos()));
    }

    /** Stops estimating {@code s}; its last published rates stay as they are. */
    public void unregister(Stats s) {
        estimates.remove(s);
    }

    /** Number of Stats being estimated. */
    public int size() {
        return estimates.size();
    }

    /** One estimation round over every registered Stats; the caller runs it every 2 s. */
    public void estimate() {
        synchronized (estimating) {
            for (Map.Entry<Stats, Estimate> e : estimates.entrySet()) {
                e.getValue().update(e.getKey(), clock.nanos());
            }
        }
    }

    /** Per-Stats state: the previous sample and the smoothed averages. Only touched by estimate(). */
    private static final class Estimate {
        private long conns;
        private long inPackets;
        private long outPackets;
        private long inBytes;
        private long outBytes;
        private long nanos;
        private double cps;
        private double inPps;
        private double outPps;
        private double inBps;
        private double outBps;
        /** The object last published to (or found in) the Stats: identity tells us if someone zeroed it. */
        private Stats.Rates published;

        Estimate(Stats s, long nanos) {
            sample(s.totals(), nanos);
            // Averages start at zero as in IPVS (a new estimator knows no history), but the figures already
            // shown stay until the first round. They are republished as our own object so that a zero()
            // before the first round is seen by identity even if the totals have grown back since.
            Stats.Rates r = s.rates();
            published = new Stats.Rates(r.cps(), r.inPps(), r.outPps(), r.inBps(), r.outBps());
            s.publishRates(published);
        }

        void update(Stats s, long now) {
            long elapsed = now - nanos;
            if (elapsed <= 0) {
                return; // no time passed: a rate would divide by zero; keep the sample for the next round
            }
            Stats.Totals t = s.totals();
            if (s.rates() != published || t.conns() < conns || t.inPackets() < inPackets
                    || t.outPackets() < outPackets || t.inBytes() < inBytes || t.outBytes() < outBytes) {
                // Zeroed since the last round: what happened before the zeroing is gone, so the interval
                // cannot be measured; restart from here, with the averages zero like the Stats' own rates.
                cps = inPps = outPps = inBps = outBps = 0;
                sample(t, now);
                publish(s);
                return;
            }
            double seconds = elapsed / 1e9;
            cps = smooth(cps, (t.conns() - conns) / seconds);
            inPps = smooth(inPps, (t.inPackets() - inPackets) / seconds);
            outPps = smooth(outPps, (t.outPackets() - outPackets) / seconds);
            inBps = smooth(inBps, (t.inBytes() - inBytes) / seconds);
            outBps = smooth(outBps, (t.outBytes() - outBytes) / seconds);
            sample(t, now);
            publish(s);
        }

        private void publish(Stats s) {
            // Always a fresh object, never Rates.ZERO, so the identity check above cannot confuse our own
            // all-zero publication with a zero() call.
            published = new Stats.Rates(cps, inPps, outPps, inBps, outBps);
            s.publishRates(published);
        }

        private void sample(Stats.Totals t, long now) {
            conns = t.conns();
            inPackets = t.inPackets();
            outPackets = t.outPackets();
            inBytes = t.inBytes();
            outBytes = t.outBytes();
            nanos = now;
        }

        private static double smooth(double avg, double rate) {
            return avg + (rate - avg) / 4;
        }
    }
}
