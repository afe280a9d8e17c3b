package org.jvs.director.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jvs.director.config.YamlConfigLoader.Y;
import org.jvs.vrrp.VrrpConfig;

/**
 * The {@code vrrp:} section, with keepalived's keywords ({@code vrrp_instance} blocks become {@code instances},
 * {@code vrrp_script} {@code scripts}, {@code vrrp_sync_group} {@code sync_groups}); docs/vrrp.md lists them.
 * Every value is checked by jvs-vrrp's records, whose messages this turns into file:line:column errors.
 * {@code track_service} must name services of this file.
 */
final class VrrpSection {
    private VrrpSection() {
    }

    static final Set<String> INSTANCE_KEYS = Set.of("name", "interface", "state", "virtual_router_id", "priority", "advert_int",
            "version", "preempt", "preempt_delay", "virtual_ipaddress", "unicast_src_ip", "unicast_peer", "authentication",
            "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "garp_master_refresh_repeat",
            "track_interface", "track_script", "track_service", "notify_master", "notify_backup", "notify_fault",
            "notify_stop", "notify");

    static VrrpConfig parse(Y y, List<DirectorConfig.Service> services) {
        Map<String, Y> m = y.mapping(Set.of("instances", "scripts", "sync_groups"));
        List<VrrpConfig.Script> scripts = new ArrayList<>();
        if (m.containsKey("scripts")) {
            Y sy = m.get("scripts");
            Map<String, Y> byName = sy.mapping(names(sy));
            byName.forEach((name, s) -> scripts.add(script(name, s)));
        }
        List<VrrpConfig.Instance> instances = new ArrayList<>();
        if (m.containsKey("instances")) {
            for (Y i : m.get("instances").sequence()) {
                instances.add(instance(i, services));
            }
        }
        List<VrrpConfig.SyncGroup> groups = new ArrayList<>();
        if (m.containsKey("sync_groups")) {
            for (Y g : m.get("sync_groups").sequence()) {
                Map<String, Y> gm = g.mapping(Set.of("name", "group", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"));
                String name = gm.containsKey("name") ? gm.get("name").string() : g.fail("a sync group needs a name");
                List<String> members = gm.containsKey("group") ? strings(gm.get("group")) : g.fail("a sync group needs 'group: [instances]'");
                groups.add(g.build(() -> new VrrpConfig.SyncGroup(name, members, str(gm, "notify_master"), str(gm, "notify_backup"),
                        str(gm, "notify_fault"), str(gm, "notify_stop"), str(gm, "notify"))));
            }
        }
        return y.build(() -> new VrrpConfig(instances, scripts, groups));
    }

    /** A mapping's own keys, for a section whose keys are names the user chooses. */
    private static Set<String> names(Y y) {
        if (!(y.node() instanceof org.snakeyaml.engine.v2.nodes.MappingNode mn)) {
            return y.fail("expected a mapping of script names to their settings");
        }
        Set<String> out = new java.util.HashSet<>();
        for (var t : mn.getValue()) {
            out.add(new Y(y.file(), t.getKeyNode(), y.path()).string());
        }
        return out;
    }

    private static VrrpConfig.Script script(String name, Y y) {
        Map<String, Y> m = y.mapping(Set.of("script", "interval", "timeout", "weight", "rise", "fall", "user"));
        if (m.containsKey("user")) {
            m.get("user").fail("'user' is not supported: JVS runs scripts as the director's own user");
        }
        String script = m.containsKey("script") ? m.get("script").string() : y.fail("vrrp script " + name + " needs 'script'");
        var interval = m.containsKey("interval") ? m.get("interval").duration() : null;
        var timeout = m.containsKey("timeout") ? m.get("timeout").duration() : null;
        int weight = m.containsKey("weight") ? m.get("weight").integer(-253, 253) : 0;
        int rise = m.containsKey("rise") ? m.get("rise").integer(1, 1_000_000) : 1;
        int fall = m.containsKey("fall") ? m.get("fall").integer(1, 1_000_000) : 1;
        return y.build(() -> new VrrpConfig.Script(name, script, interval, timeout, weight, rise, fall));
    }

    private static VrrpConfig.Instance instance(Y y, List<DirectorConfig.Service> services) {
        Map<String, Y> m = y.mapping(INSTANCE_KEYS);
        for (String k : List.of("name", "interface", "virtual_router_id")) {
            if (!m.containsKey(k)) {
                y.fail("a VRRP instance needs '" + k + "'");
            }
        }
        String name = m.get("name").string();
        VrrpConfig.Builder b = y.build(() -> VrrpConfig.Instance.builder(name, m.get("interface").string(),
                m.get("virtual_router_id").integer(1, 255)));
        if (m.containsKey("state")) {
            b.state(m.get("state").convert(s -> VrrpConfig.InitialState.valueOf(s.strip().toUpperCase(Locale.ROOT))));
        }
        if (m.containsKey("priority")) {
            b.priority(m.get("priority").integer(1, 255));
        }
        if (m.containsKey("advert_int")) {
            b.advertInt(m.get("advert_int").duration());
        }
        if (m.containsKey("version")) {
            b.version(m.get("version").integer(2, 3));
        }
        if (m.containsKey("preempt")) {
            b.preempt(m.get("preempt").bool());
        }
        if (m.containsKey("preempt_delay")) {
            b.preemptDelay(m.get("preempt_delay").duration());
        }
        if (m.containsKey("virtual_ipaddress")) {
            List<VrrpConfig.VirtualAddress> vs = new ArrayList<>();
            for (Y v : m.get("virtual_ipaddress").sequence()) {
                vs.add(v.convert(VrrpConfig.VirtualAddress::parse));
            }
            b.virtualIpaddress(vs);
        }
        if (m.containsKey("unicast_src_ip")) {
            b.unicastSrcIp(m.get("unicast_src_ip").string());
        }
        if (m.containsKey("unicast_peer")) {
            b.unicastPeer(strings(m.get("unicast_peer")).toArray(String[]::new));
        }
        if (m.containsKey("authentication")) {
            Map<String, Y> a = m.get("authentication").mapping(Set.of("auth_type", "auth_pass"));
            String type = a.containsKey("auth_type") ? a.get("auth_type").string() : "PASS";
            String pass = a.containsKey("auth_pass") ? a.get("auth_pass").string() : m.get("authentication").fail("needs 'auth_pass'");
            b.authentication(m.get("authentication").build(() -> new VrrpConfig.Authentication(type, pass)));
        }
        if (m.containsKey("garp_master_delay")) {
            b.garpMasterDelay(m.get("garp_master_delay").duration());
        }
        if (m.containsKey("garp_master_repeat")) {
            b.garpMasterRepeat(m.get("garp_master_repeat").integer(1, 255));
        }
        if (m.containsKey("garp_master_refresh")) {
            b.garpMasterRefresh(m.get("garp_master_refresh").duration());
        }
        if (m.containsKey("garp_master_refresh_repeat")) {
            b.garpMasterRefreshRepeat(m.get("garp_master_refresh_repeat").integer(1, 255));
        }
        if (m.containsKey("track_interface")) {
            b.trackInterface(tracks(m.get("track_interface")));
        }
        if (m.containsKey("track_script")) {
            b.trackScript(tracks(m.get("track_script")));
        }
        if (m.containsKey("track_service")) {
            Y ts = m.get("track_service");
            VrrpConfig.Track[] tracked = tracks(ts);
            for (int i = 0; i < tracked.length; i++) {
                String svc = tracked[i].name();
                if (services.stream().noneMatch(s -> svc.equals(s.name()))) {
                    ts.sequence().get(i).fail("no service named '" + svc + "' in this file (track_service names a service's 'name')");
                }
            }
            b.trackService(tracked);
        }
        b.notifyMaster(str(m, "notify_master")).notifyBackup(str(m, "notify_backup")).notifyFault(str(m, "notify_fault"))
                .notifyStop(str(m, "notify_stop")).notifyScript(str(m, "notify"));
        return y.build(b::build);
    }

    private static VrrpConfig.Track[] tracks(Y y) {
        List<VrrpConfig.Track> out = new ArrayList<>();
        for (Y t : y.sequence()) {
            if (t.node() instanceof org.snakeyaml.engine.v2.nodes.ScalarNode) {
                out.add(t.build(() -> VrrpConfig.Track.of(t.string())));
            } else {
                Map<String, Y> m = t.mapping(Set.of("name", "weight"));
                String name = m.containsKey("name") ? m.get("name").string() : t.fail("needs 'name'");
                int w = m.containsKey("weight") ? m.get("weight").integer(-253, 253) : 0;
                out.add(t.build(() -> m.containsKey("weight") ? VrrpConfig.Track.of(name, w) : VrrpConfig.Track.of(name)));
            }
        }
        return out.toArray(VrrpConfig.Track[]::new);
    }

    private static List<String> strings(Y y) {
        return y.sequence().stream().map(Y::string).toList();
    }

    private static String str(Map<String, Y> m, String k) {
        return m.containsKey(k) ? m.get(k).string() : null;
    }
}
