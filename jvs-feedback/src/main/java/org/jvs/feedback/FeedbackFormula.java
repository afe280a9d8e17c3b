package org.jvs.feedback;

import java.time.Duration;
import org.jvs.core.model.DestSpec;

/**
 * The thesis' dynamic-feedback arithmetic (4.2.3–4.2.4), pure functions only so that tests can check it on
 * the thesis' numbers without servers or clocks.
 */
public final class FeedbackFormula {
    /** The utilisation the feedback steers every server towards (thesis 4.2.4). */
    public static final double TARGET = 0.95;
    /** "All weights near SCALE·DEFAULT_WEIGHT": at least this share of the ceiling. */
    public static final double LIGHT_SHARE = 0.9;

    private FeedbackFormula() {
    }

    /**
     * INPUT_i = N_i / (ΣN_j / n): the server's new connections over the interval relative to the mean of the
     * n servers. With no new connection anywhere every server had exactly the mean share, so 1.
     */
    public static double input(long newConns, long sumNewConns, int servers) {
        if (servers <= 0 || sumNewConns <= 0) {
            return 1.0;
        }
        return newConns / ((double) sumNewConns / servers);
    }

    /**
     * The six normalised metrics, NaN where a figure is missing: 1 is the right load as {@code right} says it.
     */
    public static double[] normalise(double input, Sample s, Duration response, RightLoad right) {
        double[] m = new double[Metric.COUNT];
        m[Metric.INPUT.ordinal()] = input;
        m[Metric.LOAD.ordinal()] = s.cpus() > 0 && !Double.isNaN(s.load1()) ? s.load1() / s.cpus() / right.loadPerCpu() : Double.NaN;
        m[Metric.DISK.ordinal()] = s.diskPercent() / right.diskPercent();
        m[Metric.MEMORY.ordinal()] = s.memoryPercent() / right.memoryPercent();
        m[Metric.PROCESS.ordinal()] = s.processes() >= 0 ? s.processes() / right.processes() : Double.NaN;
        m[Metric.RESPONSE.ordinal()] = response == null ? Double.NaN : (double) response.toNanos() / right.response().toNanos();
        return m;
    }

    /**
     * AGGREGATE_LOAD = Σ R_k · metric_k. Missing metrics (NaN) are left out and the coefficients of the
     * others scaled up so they still add up to 1; NaN when no metric with a coefficient above 0 is known.
     */
    public static double aggregate(Coefficients r, double[] metrics) {
        double sum = 0;
        double weights = 0;
        for (Metric k : Metric.values()) {
            double v = metrics[k.ordinal()];
            double rk = r.of(k);
            if (!Double.isNaN(v) && rk > 0) {
                sum += rk * v;
                weights += rk;
            }
        }
        return weights > 0 ? sum / weights : Double.NaN;
    }

    /**
     * w ← w + A·∛(0.95 − AGGREGATE_LOAD) (the cube root keeps the sign: above 0.95 the weight falls),
     * rounded to a whole weight and kept within [0, SCALE·DEFAULT_WEIGHT] (and IPVS' 65535).
     */
    public static int nextWeight(int current, double aggregate, double a, int scale, int defaultWeight) {
        double next = aggregate == TARGET ? current : current + a * Math.cbrt(TARGET - aggregate);
        long ceiling = Math.min((long) scale * defaultWeight, DestSpec.MAX_WEIGHT);
        return (int) Math.max(0, Math.min(ceiling, Math.round(next)));
    }

    /** The thesis writes a new weight only when it differs from the current one by more than the threshold. */
    public static boolean worthWriting(int next, int current, int threshold) {
        return Math.abs(next - current) > threshold;
    }

    /**
     * The cluster's state from the weights of the servers the feedback adjusts (thesis 4.2.4): every weight
     * below its default means the cluster is overloaded (add servers); every weight near SCALE·default means
     * it is lightly loaded (servers could be taken out).
     */
    public static ClusterState cluster(int[] weights, int[] defaults, int scale) {
        if (weights.length == 0) {
            return ClusterState.UNKNOWN;
        }
        boolean allBelow = true;
        boolean allNearCeiling = true;
        for (int i = 0; i < weights.length; i++) {
            allBelow &= weights[i] < defaults[i];
            allNearCeiling &= weights[i] >= LIGHT_SHARE * scale * defaults[i];
        }
        return allBelow ? ClusterState.OVERLOADED : allNearCeiling ? ClusterState.LIGHTLY_LOADED : ClusterState.NORMAL;
    }
}
