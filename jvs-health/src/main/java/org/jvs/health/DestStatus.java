package org.jvs.health;

import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;

/**
 * One real server as the health engine sees it, for listings and the API.
 *
 * @param check        the checker type, "none" for an unchecked server, "sorry" for the sorry server
 * @param present      whether it is in the service now (false: removed while down)
 * @param factor       health's share of its weight, 0..1
 * @param last         the last check's result, or null before the first
 * @param lastAgoMillis milliseconds since the last check finished, -1 before the first
 * @param sinceMillis  milliseconds in the current state
 */
public record DestStatus(ServiceKey service, DestSpec spec, String check, String state, boolean present, double factor,
                         CheckResult last, long lastAgoMillis, long sinceMillis, int failures, int successes,
                         long lastDurationMicros) {

    /** The last result's reason, or "-" before the first check. */
    public String reason() {
        return last == null ? "-" : last.reason();
    }
}
