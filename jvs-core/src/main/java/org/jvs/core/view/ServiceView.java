package org.jvs.core.view;

import java.util.List;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.stats.Stats;

/** A virtual service as a listing shows it, with its real servers in list order. */
public record ServiceView(ServiceSpec spec, Stats.Totals totals, Stats.Rates rates, List<DestView> dests) {
    public ServiceView {
        dests = List.copyOf(dests);
    }
}
