package org.jvs.feedback;

import java.time.Duration;
import org.jvs.core.model.ConfigException;

/**
 * What "right load" (normalised value 1) is for each server figure: the thesis leaves the scaling to the
 * administrator (4.2.3: "1 means the load is right, above 1 overloaded"), so these are configurable.
 *
 * @param loadPerCpu    1-minute load average per CPU that counts as 1 (default 1.0: every CPU busy)
 * @param diskPercent   percent used of the fullest watched disk that counts as 1 (default 90)
 * @param memoryPercent percent of real memory in use that counts as 1 (default 90)
 * @param processes     process count that counts as 1 (default 200)
 * @param response      probe time that counts as 1 (default 100 ms)
 */
public record RightLoad(double loadPerCpu, double diskPercent, double memoryPercent, double processes, Duration response) {
    public static final RightLoad DEFAULT = new RightLoad(1.0, 90, 90, 200, Duration.ofMillis(100));

    public RightLoad {
        positive("load", loadPerCpu);
        positive("disk", diskPercent);
        positive("memory", memoryPercent);
        positive("processes", processes);
        if (response == null || response.isNegative() || response.isZero()) {
            throw new ConfigException("right_load.response must be a positive duration, got " + response);
        }
    }

    private static void positive(String what, double v) {
        if (!Double.isFinite(v) || v <= 0) {
            throw new ConfigException("right_load." + what + " must be a number > 0, got " + v);
        }
    }
}
