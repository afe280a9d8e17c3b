package org.jvs.core.view;

import java.util.List;
import org.jvs.core.conn.Timeouts;
import org.jvs.core.stats.Stats;

/**
 * Everything {@code ipvsadm -L} can print, copied at one moment: what the CLI, the API and the console
 * format. Immutable and free of live objects, so it can be serialised or kept.
 *
 * @param tableSize connection hash table size (ipvsadm's "size=")
 */
public record Snapshot(int tableSize, Timeouts.View timeouts, Stats.Totals totals, Stats.Rates rates,
                       List<ServiceView> services) {
    public Snapshot {
        services = List.copyOf(services);
    }
}
