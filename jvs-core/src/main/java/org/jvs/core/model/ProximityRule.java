package org.jvs.core.model;

import java.util.List;

/**
 * One row of the global server scheduling table (thesis 4.1.5): clients in {@code prefix/prefixLength}
 * are served by the nearest of {@code servers}, in preference order.
 */
public record ProximityRule(IpAddr prefix, int prefixLength, List<IpAddr> servers) {
    public ProximityRule {
        if (prefix == null || servers == null || servers.isEmpty()) {
            throw new ConfigException("a proximity rule needs a client prefix and at least one server");
        }
        if (prefixLength < 0 || prefixLength > prefix.bits()) {
            throw new ConfigException("proximity prefix length /" + prefixLength + " out of range for " + prefix);
        }
        prefix = prefix.mask(prefixLength);
        servers = List.copyOf(servers);
    }
}
