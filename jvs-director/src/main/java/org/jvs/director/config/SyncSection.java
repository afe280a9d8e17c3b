package org.jvs.director.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvs.director.config.YamlConfigLoader.Y;
import org.jvs.sync.SyncConfig;
import org.jvs.sync.SyncVersion;

/**
 * The {@code sync:} section: IPVS connection sync daemons with ipvsadm's option names ({@code mcast_interface},
 * {@code syncid}, {@code maxlen}, {@code mcast_group}, {@code mcast_port}, {@code mcast_ttl}) and the kernel's
 * sysctls ({@code version} = sync_version, {@code threshold}/{@code period} = sync_threshold). docs/failover.md.
 */
final class SyncSection {
    private SyncSection() {
    }

    static SyncConfig parse(Y y) {
        Map<String, Y> m = y.mapping(Set.of("version", "threshold", "period", "daemons"));
        SyncVersion version = m.containsKey("version") ? (m.get("version").integer(0, 1) == 0 ? SyncVersion.V0 : SyncVersion.V1) : SyncVersion.V1;
        int threshold = m.containsKey("threshold") ? m.get("threshold").integer(0, 255) : SyncConfig.DEFAULT_THRESHOLD;
        int period = m.containsKey("period") ? m.get("period").integer(0, 255) : SyncConfig.DEFAULT_PERIOD;
        List<SyncConfig.Daemon> daemons = new ArrayList<>();
        if (m.containsKey("daemons")) {
            for (Y d : m.get("daemons").sequence()) {
                daemons.add(daemon(d));
            }
        }
        List<SyncConfig.Daemon> ds = daemons;
        return y.build(() -> new SyncConfig(version, threshold, period, ds));
    }

    private static SyncConfig.Daemon daemon(Y y) {
        Map<String, Y> m = y.mapping(Set.of("state", "mcast_interface", "syncid", "maxlen", "mcast_group", "mcast_port", "mcast_ttl"));
        if (!m.containsKey("state")) {
            return y.fail("a sync daemon needs 'state: master' or 'state: backup'");
        }
        if (!m.containsKey("mcast_interface")) {
            return y.fail("a sync daemon needs 'mcast_interface' (the interface its multicast goes out of or arrives on)");
        }
        SyncConfig.Role role = m.get("state").convert(SyncConfig.Role::parse);
        String iface = m.get("mcast_interface").string();
        int syncId = m.containsKey("syncid") ? m.get("syncid").integer(0, 255) : 0;
        int maxLen = m.containsKey("maxlen") ? m.get("maxlen").integer(1, 65535 - 28) : 0;
        InetAddress group = m.containsKey("mcast_group") ? m.get("mcast_group").convert(SyncSection::numeric) : null;
        int port = m.containsKey("mcast_port") ? m.get("mcast_port").integer(1, 65535) : 0;
        int ttl = m.containsKey("mcast_ttl") ? m.get("mcast_ttl").integer(1, 255) : 0;
        return y.build(() -> new SyncConfig.Daemon(role, iface, syncId, maxLen, group, port, ttl));
    }

    /** A numeric address (names are never resolved). */
    static InetAddress numeric(String s) {
        try {
            return org.jvs.core.model.IpAddr.parse(s).toInetAddress();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + s + "' is not a numeric IP address");
        }
    }
}
