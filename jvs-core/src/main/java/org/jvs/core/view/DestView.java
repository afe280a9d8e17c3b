package org.jvs.core.view;

import org.jvs.core.model.DestSpec;
import org.jvs.core.stats.Stats;

/**
 * A real server as a listing shows it: its configuration, the weight in force now (health checks and
 * feedback may change it without touching the configured one), connection counts and traffic.
 */
public record DestView(DestSpec spec, int weight, int activeConns, int inactiveConns, int persistentConns,
                       boolean overloaded, Stats.Totals totals, Stats.Rates rates) {
}
