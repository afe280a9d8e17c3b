package org.jvs.cli;

import java.util.List;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;

/**
 * What a director knows about its real servers' health, for {@code -L --health} and {@code --json}. The
 * library itself checks nothing; {@link #NONE} is the answer where nobody does.
 */
public interface HealthSource {

    /** A checked real server's health, or null when nothing checks it. */
    DestHealth dest(ServiceKey service, IpAddr address, int port);

    /** Watched servers that are not in the table now: removed while down, or a sorry server standing by. */
    List<DestHealth> absent(ServiceKey service);

    /** The service's quorum, or null when the service is not watched. */
    ServiceHealth service(ServiceKey service);

    /**
     * @param state      UP, DOWN, DRAIN, UP(SLOW) during slow start, UP(SORRY) while a sorry server stands in,
     *                   SORRY or STANDBY for the sorry server
     * @param check      checker type, "none", or "sorry"
     * @param factor     health's share of the weight, 0..1
     * @param reason     the last check's reason, "-" before the first
     * @param lastAgoMillis -1 before the first check
     */
    record DestHealth(IpAddr address, int port, String forward, String check, String state, int configuredWeight, double factor,
                      String reason, long lastAgoMillis, long sinceMillis) {
    }

    record ServiceHealth(boolean quorumUp, int liveWeight, int quorum, int hysteresis, String sorryServer, boolean sorryActive) {
    }

    HealthSource NONE = new HealthSource() {
        @Override
        public DestHealth dest(ServiceKey service, IpAddr address, int port) {
            return null;
        }

        @Override
        public List<DestHealth> absent(ServiceKey service) {
            return List.of();
        }

        @Override
        public ServiceHealth service(ServiceKey service) {
            return null;
        }
    };
}
