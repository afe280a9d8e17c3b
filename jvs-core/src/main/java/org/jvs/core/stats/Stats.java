package org.jvs.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Traffic counters of the director, a service or a real server, as ipvsadm {@code --stats} shows them, plus
 * the rates last published by the {@link RateEstimator}. Data-plane threads add to the counters (striped
 * adders: no shared cache line between cores once warm, and no allocation after the first contention);
 * the control thread reads them.
 */
public final class Stats {
    private final LongAdder conns = new LongAdder();
    private final LongAdder inPackets = new LongAdder();
    private final LongAdder outPackets = new LongAdder();
    private final LongAdder inBytes = new LongAdder();
    private final LongAdder outBytes = new LongAdder();
    private volatile Rates rates = Rates.ZERO;

    public void connection() {
        conns.increment();
    }

    public void inbound(int bytes) {
        inPackets.increment();
        inBytes.add(bytes);
    }

    public void outbound(int bytes) {
        outPackets.increment();
        outBytes.add(bytes);
    }

    /** Adds several inbound packets at once (a relay reports what it moved since the last report). */
    public void inbound(long packets, long bytes) {
        inPackets.add(packets);
        inBytes.add(bytes);
    }

    public void outbound(long packets, long bytes) {
        outPackets.add(packets);
        outBytes.add(bytes);
    }

    public Totals totals() {
        return new Totals(conns.sum(), inPackets.sum(), outPackets.sum(), inBytes.sum(), outBytes.sum());
    }

    public Rates rates() {
        return rates;
    }

    /** Published by the estimator only. */
    public void publishRates(Rates r) {
        rates = r;
    }

    /** {@code ipvsadm -Z}: counters and rates back to zero. */
    public void zero() {
        conns.reset();
        inPackets.reset();
        outPackets.reset();
        inBytes.reset();
        outBytes.reset();
        rates = Rates.ZERO;
    }

    /** Cumulative counters since start or the last zeroing. */
    public record Totals(long conns, long inPackets, long outPackets, long inBytes, long outBytes) {
        public static final Totals ZERO = new Totals(0, 0, 0, 0, 0);
    }

    /** Per-second rates, smoothed: connections, packets and bytes in each direction. */
    public record Rates(double cps, double inPps, double outPps, double inBps, double outBps) {
        public static final Rates ZERO = new Rates(0, 0, 0, 0, 0);
    }
}
