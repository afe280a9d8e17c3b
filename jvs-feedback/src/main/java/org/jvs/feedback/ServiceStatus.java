package org.jvs.feedback;

import java.util.List;
import org.jvs.core.model.ServiceKey;

/** One service's feedback state: its settings, the cluster verdict and each real server's last figures. */
public record ServiceStatus(ServiceKey service, FeedbackSettings settings, ClusterState cluster, long rounds,
                            List<DestStatus> dests) {
    public ServiceStatus {
        dests = List.copyOf(dests);
    }
}
