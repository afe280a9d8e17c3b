package org.jvs.feedback;

import java.util.Arrays;
import org.jvs.core.model.ConfigException;

/**
 * The thesis' coefficients R_k: how much each metric counts in the aggregate load. They sum to 1 (4.2.3),
 * so an aggregate of 1 still means "right load"; the web default {0.1, 0.3, 0.1, 0.1, 0.1, 0.3} weighs CPU
 * load and response time most.
 */
public record Coefficients(double input, double load, double disk, double memory, double process, double response) {
    public static final Coefficients WEB = new Coefficients(0.1, 0.3, 0.1, 0.1, 0.1, 0.3);

    public Coefficients {
        double[] all = {input, load, disk, memory, process, response};
        for (int k = 0; k < all.length; k++) {
            if (!Double.isFinite(all[k]) || all[k] < 0) {
                throw new ConfigException("coefficient " + Metric.values()[k].key() + " must be a number >= 0, got " + all[k]);
            }
        }
        double sum = Arrays.stream(all).sum();
        if (Math.abs(sum - 1.0) > 1e-6) {
            throw new ConfigException("coefficients must add up to 1 (thesis 4.2.3: ΣR = 1), these add up to " + sum);
        }
    }

    /** R_k for a metric. */
    public double of(Metric m) {
        return switch (m) {
            case INPUT -> input;
            case LOAD -> load;
            case DISK -> disk;
            case MEMORY -> memory;
            case PROCESS -> process;
            case RESPONSE -> response;
        };
    }
}
