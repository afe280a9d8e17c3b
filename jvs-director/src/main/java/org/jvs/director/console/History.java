package org.jvs.director.console;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The last {@link #SAMPLES} seconds of the director's rates (new connections, bytes in and out per second,
 * and active connections), sampled every second whether or not a console is open, so a page opened now
 * draws the last minutes at once. A fixed ring: sampling allocates nothing.
 */
final class History implements AutoCloseable {
    static final int SAMPLES = 600;

    private final LiveState state;
    private final long[] time = new long[SAMPLES];
    private final double[] cps = new double[SAMPLES];
    private final double[] inBps = new double[SAMPLES];
    private final double[] outBps = new double[SAMPLES];
    private final long[] active = new long[SAMPLES];
    private int next;
    private int filled;
    private LiveState.Totals last;
    private long lastNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("jvs-console-history").unstarted(r));

    History(LiveState state) {
        this.state = state;
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            LiveState.Totals t = state.totals();
            long now = System.nanoTime();
            synchronized (this) {
                if (last != null) {
                    double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
                    time[next] = System.currentTimeMillis();
                    // a counter that went back (jvsadm -Z) counts as a fresh start, not a negative rate
                    cps[next] = Math.max(0, t.conns() - last.conns()) / secs;
                    inBps[next] = Math.max(0, t.inBytes() - last.inBytes()) / secs;
                    outBps[next] = Math.max(0, t.outBytes() - last.outBytes()) / secs;
                    active[next] = t.active();
                    next = (next + 1) % SAMPLES;
                    filled = Math.min(SAMPLES, filled + 1);
                }
                last = t;
                lastNanos = now;
            }
        } catch (RuntimeException e) {
            System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "console history sample failed: " + e);
        }
    }

    /** {@code {"t": [epoch ms], "cps": [...], "in_bps": [...], "out_bps": [...], "active": [...]}}, oldest first. */
    synchronized String json() {
        StringBuilder t = new StringBuilder("{\"t\":[");
        StringBuilder c = new StringBuilder(",\"cps\":[");
        StringBuilder i = new StringBuilder(",\"in_bps\":[");
        StringBuilder o = new StringBuilder(",\"out_bps\":[");
        StringBuilder a = new StringBuilder(",\"active\":[");
        for (int k = 0; k < filled; k++) {
            int at = (next - filled + k + SAMPLES) % SAMPLES;
            String sep = k == 0 ? "" : ",";
            t.append(sep).append(time[at]);
            c.append(sep).append(Math.round(cps[at] * 10) / 10.0);
            i.append(sep).append(Math.round(inBps[at]));
            o.append(sep).append(Math.round(outBps[at]));
            a.append(sep).append(active[at]);
        }
        return t.append(']').append(c).append(']').append(i).append(']').append(o).append(']').append(a).append("]}").toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
