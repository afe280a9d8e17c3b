package org.jvs.health;

import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;

/** A watched service: its quorum and sorry server, for listings and the API. */
public record ServiceStatus(ServiceKey key, boolean quorumUp, int liveWeight, int quorum, int hysteresis, DestSpec sorryServer,
                            boolean sorryActive) {
}
