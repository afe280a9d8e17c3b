package org.jvs.feedback;

import java.time.Duration;
import org.jvs.core.model.ConfigException;

/**
 * The monitor's settings for one service (thesis 4.2): query interval, coefficients R, the step A, the
 * ceiling SCALE, the write threshold, what "right load" is, and the default collector and probe.
 */
public record FeedbackSettings(Duration interval, Coefficients coefficients, double a, int scale, int threshold,
                               RightLoad rightLoad, CollectorSpec collector, ProbeSpec probe) {
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(2);
    public static final Duration MAX_INTERVAL = Duration.ofSeconds(10);
    public static final FeedbackSettings DEFAULT = new FeedbackSettings(Duration.ofSeconds(5), Coefficients.WEB, 5.0, 10, 1,
            RightLoad.DEFAULT, CollectorSpec.defaultSnmp(), ProbeSpec.DEFAULT);

    public FeedbackSettings {
        // The thesis' advice (4.2.3) made a rule: shorter loads the servers with queries, longer reacts too late.
        if (interval == null || interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new ConfigException("interval must be between 2s and 10s, got " + (interval == null ? "nothing" : interval.toMillis() + "ms"));
        }
        if (!Double.isFinite(a) || a <= 0 || a > 1000) {
            throw new ConfigException("a must be a number in (0, 1000], got " + a);
        }
        if (scale < 1 || scale > 1000) {
            throw new ConfigException("scale " + scale + " out of range 1..1000");
        }
        if (threshold < 0 || threshold > 65535) {
            throw new ConfigException("threshold " + threshold + " out of range 0..65535");
        }
        if (coefficients == null || rightLoad == null || collector == null || probe == null) {
            throw new ConfigException("feedback settings incomplete");
        }
    }
}
