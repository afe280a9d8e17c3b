package org.jvs.director.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.time.ManualClock;

/**
 * Makes a running balancer match a configuration, touching only what differs: services and real servers
 * that did not change keep their scheduler state, statistics and connections; removed servers finish their
 * connections (or lose them with {@code expire_nodest_conn}); weight 0 quiesces. The configuration is first
 * checked in full on a scratch balancer, so a file with a mistake anywhere changes nothing at all.
 */
public final class ConfigApplier {

    /** What an apply changed, for the log and the API. */
    public record Changes(List<String> lines) {
        public boolean isEmpty() {
            return lines.isEmpty();
        }

        /** These changes followed by {@code more} (notes a reload adds about what it did not or could not apply). */
        public Changes with(List<String> more) {
            if (more.isEmpty()) {
                return this;
            }
            List<String> all = new java.util.ArrayList<>(lines);
            all.addAll(more);
            return new Changes(List.copyOf(all));
        }

        @Override
        public String toString() {
            return lines.isEmpty() ? "no changes" : String.join("; ", lines);
        }
    }

    private ConfigApplier() {
    }

    /** Checks everything a live apply would check; throws with the file position of the first problem. */
    public static void validate(DirectorConfig config) {
        LoadBalancer scratch = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(16, 16).withMemory(0, () -> Long.MAX_VALUE), new ManualClock());
        try {
            Map<ServiceKey, Integer> seen = new HashMap<>();
            for (int i = 0; i < config.services().size(); i++) {
                DirectorConfig.Service s = config.services().get(i);
                String field = "services[" + i + "]";
                Integer first = seen.putIfAbsent(s.spec().key(), s.line());
                if (first != null) {
                    throw new ConfigFileException(config.source(), s.line(), 0, field,
                            "service " + s.spec().key() + " is already defined at line " + first);
                }
                at(config, s.line(), field, () -> scratch.addService(s.spec()));
                for (int j = 0; j < s.dests().size(); j++) {
                    DestSpec d = s.dests().get(j);
                    at(config, s.destLine(j), field + ".real_servers[" + j + "]", () -> scratch.addDest(s.spec().key(), d));
                }
            }
        } finally {
            scratch.close();
        }
    }

    private static void at(DirectorConfig config, int line, String field, Runnable r) {
        try {
            r.run();
        } catch (ConfigException e) {
            throw new ConfigFileException(config.source(), line, 0, field, e.getMessage());
        }
    }

    /** Validates, then applies the difference. Settings that need a restart are not handled here. */
    public static Changes apply(LoadBalancer lb, DirectorConfig config) {
        validate(config);
        List<String> changes = new ArrayList<>();
        DirectorConfig.Settings st = config.settings();
        // The file is the truth on every reload: a timeout it does not set goes back to the IPVS default.
        var defaults = new org.jvs.core.conn.Timeouts().view();
        lb.timeouts().set(st.tcpTimeout() != 0 ? st.tcpTimeout() : defaults.tcp(),
                st.tcpfinTimeout() != 0 ? st.tcpfinTimeout() : defaults.tcpfin(),
                st.udpTimeout() != 0 ? st.udpTimeout() : defaults.udp());
        lb.expireNodestConn(st.expireNodestConn());
        lb.expireQuiescentTemplate(st.expireQuiescentTemplate());
        // The defence sysctls too: what the file does not say goes back to the kernel's default (all off).
        var defense = lb.defense();
        DirectorConfig.Defense wantDefense = st.defense();
        defense.setThreshold(wantDefense.amemthreshPages() * org.jvs.core.defense.DefenseState.PAGE_BYTES);
        defense.setAmDropRate(wantDefense.amDroprate());
        defense.setDropEntryMode(wantDefense.dropEntry());
        defense.setDropPacketMode(wantDefense.dropPacket());
        defense.setSecureTcpMode(wantDefense.secureTcp());

        Map<ServiceKey, DirectorConfig.Service> desired = new LinkedHashMap<>();
        for (DirectorConfig.Service s : config.services()) {
            desired.put(s.spec().key(), s);
        }
        for (Service s : lb.services()) {
            if (!desired.containsKey(s.key())) {
                lb.deleteService(s.key());
                changes.add("removed service " + s.key());
            }
        }
        for (DirectorConfig.Service want : desired.values()) {
            ServiceKey key = want.spec().key();
            Service have = lb.service(key);
            if (have == null) {
                lb.addService(want.spec());
                changes.add("added service " + key);
            } else if (!have.spec().equals(want.spec())) {
                lb.editService(want.spec());
                changes.add("changed service " + key);
            }
            applyDests(lb, key, want.dests(), changes);
        }
        return new Changes(List.copyOf(changes));
    }

    private static void applyDests(LoadBalancer lb, ServiceKey key, List<DestSpec> wanted, List<String> changes) {
        record Where(IpAddr address, int port) {
        }
        Map<Where, DestSpec> want = new LinkedHashMap<>();
        for (DestSpec d : wanted) {
            DestSpec n = d.normalizedFor(key);
            want.put(new Where(n.address(), n.port()), n);
        }
        Service s = lb.service(key);
        for (Dest d : s.dests()) {
            if (!want.containsKey(new Where(d.address(), d.port()))) {
                lb.deleteDest(key, d.address(), d.port());
                changes.add("removed " + d.label() + " from " + key);
            }
        }
        for (DestSpec n : want.values()) {
            Dest have = lb.service(key).dest(n.address(), n.port());
            if (have == null) {
                lb.addDest(key, n);
                changes.add("added " + n.label() + " to " + key);
            } else if (!have.spec().equals(n)) {
                lb.editDest(key, n);
                changes.add("changed " + n.label() + " in " + key);
            }
        }
    }
}
