package org.jvs.proxy.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Response times in fixed buckets (upper bounds 50 µs … 10 s, then overflow), counted with adders so the
 * event loops record without contention or allocation; the listing estimates quantiles from the buckets,
 * and the buckets themselves are what a Prometheus histogram exports.
 */
public final class LatencyHistogram {

    /** Upper bounds of the buckets in microseconds; the last bucket (index {@code BOUNDS_US.length}) has none. */
    public static final long[] BOUNDS_US = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
            250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000};
    private static final long[] BOUNDS_NS = new long[BOUNDS_US.length];

    static {
        for (int i = 0; i < BOUNDS_US.length; i++) {
            BOUNDS_NS[i] = BOUNDS_US[i] * 1000;
        }
    }

    private final LongAdder[] counts = new LongAdder[BOUNDS_US.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NS.length && nanos > BOUNDS_NS[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    /** Count in each bucket (not cumulative), {@code BOUNDS_US.length + 1} of them. */
    public long[] counts() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return c;
    }

    public long sumNanos() {
        return sumNanos.sum();
    }

    /**
     * The upper bound in microseconds of the bucket holding quantile {@code q} of {@code counts}: an upper
     * estimate, as Prometheus' histogram_quantile gives at a bucket's edge; -1 for no samples, and
     * {@link Long#MAX_VALUE} when it falls in the overflow bucket.
     */
    public static long quantileUs(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return i < BOUNDS_US.length ? BOUNDS_US[i] : Long.MAX_VALUE;
            }
        }
        return Long.MAX_VALUE;
    }
}
