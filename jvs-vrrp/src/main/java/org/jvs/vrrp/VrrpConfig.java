package org.jvs.vrrp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole VRRP configuration, as keepalived's {@code vrrp_instance}, {@code vrrp_script} and
 * {@code vrrp_sync_group} blocks. Record components are keepalived's keywords in camel case
 * ({@code virtual_router_id} is {@link Instance#virtualRouterId()}, {@code interface} is
 * {@link Instance#interfaceName()}). Every record validates itself on construction and throws a
 * {@link VrrpConfigException} naming the instance (script, group) and the keyword.
 */
public record VrrpConfig(List<Instance> instances, List<Script> scripts, List<SyncGroup> syncGroups) {

    public VrrpConfig {
        instances = List.copyOf(Objects.requireNonNullElse(instances, List.of()));
        scripts = List.copyOf(Objects.requireNonNullElse(scripts, List.of()));
        syncGroups = List.copyOf(Objects.requireNonNullElse(syncGroups, List.of()));
        Map<String, Instance> byName = new HashMap<>();
        Map<String, Instance> byVrid = new HashMap<>();
        for (Instance i : instances) {
            if (byName.put(i.name(), i) != null) {
                throw new VrrpConfigException("vrrp_instance " + i.name() + ": defined twice");
            }
            String key = i.interfaceName() + "/" + i.virtualRouterId() + "/v" + i.version();
            Instance other = byVrid.put(key, i);
            if (other != null) {
                throw new VrrpConfigException("vrrp_instance " + i.name() + ": virtual_router_id "
                        + i.virtualRouterId() + " (version " + i.version() + ") on interface " + i.interfaceName()
                        + " is already used by vrrp_instance " + other.name());
            }
        }
        Set<String> scriptNames = new HashSet<>();
        for (Script s : scripts) {
            if (!scriptNames.add(s.name())) {
                throw new VrrpConfigException("vrrp_script " + s.name() + ": defined twice");
            }
        }
        for (Instance i : instances) {
            for (Track t : i.trackScript()) {
                if (!scriptNames.contains(t.name())) {
                    throw new VrrpConfigException("vrrp_instance " + i.name() + ": track_script " + t.name()
                            + ": no vrrp_script of that name (have " + scriptNames + ")");
                }
            }
        }
        Map<String, String> groupOf = new HashMap<>();
        Set<String> groupNames = new HashSet<>();
        for (SyncGroup g : syncGroups) {
            if (!groupNames.add(g.name())) {
                throw new VrrpConfigException("vrrp_sync_group " + g.name() + ": defined twice");
            }
            for (String m : g.group()) {
                if (!byName.containsKey(m)) {
                    throw new VrrpConfigException("vrrp_sync_group " + g.name() + ": group member " + m
                            + ": no vrrp_instance of that name");
                }
                String prev = groupOf.put(m, g.name());
                if (prev != null) {
                    throw new VrrpConfigException("vrrp_sync_group " + g.name() + ": vrrp_instance " + m
                            + " is already in vrrp_sync_group " + prev);
                }
            }
        }
    }

    public VrrpConfig(List<Instance> instances) {
        this(instances, List.of(), List.of());
    }

    public Instance instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
    }

    public Script script(String name) {
        return scripts.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** keepalived's {@code state}: only the state an instance starts in. */
    public enum InitialState { MASTER, BACKUP }

    /**
     * One {@code virtual_ipaddress} line: {@code A.B.C.D[/len] [dev IF]}. {@code prefixLength} defaults to 32
     * (keepalived's default); {@code dev} null means the instance's interface.
     */
    public record VirtualAddress(int address, int prefixLength, String dev) {
        public VirtualAddress {
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("prefix length /" + prefixLength + ": 0 to 32");
            }
            if (dev != null && dev.isBlank()) {
                dev = null;
            }
        }

        /** Parses {@code "192.0.2.100/24"}, {@code "192.0.2.100"}, {@code "192.0.2.100/24 dev eth1"}. */
        public static VirtualAddress parse(String text) {
            String[] words = text.strip().split("\\s+");
            String dev = null;
            for (int i = 1; i < words.length; i++) {
                if (words[i].equals("dev") && i + 1 < words.length) {
                    dev = words[++i];
                } else {
                    throw new IllegalArgumentException("'" + text + "': expected A.B.C.D[/len] [dev IF], '"
                            + words[i] + "' is not supported");
                }
            }
            String a = words[0];
            int prefix = 32;
            int slash = a.indexOf('/');
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(a.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "': bad prefix length");
                }
                a = a.substring(0, slash);
            }
            return new VirtualAddress(Ipv4.parse(a), prefix, dev);
        }

        public String cidr() {
            return Ipv4.format(address) + "/" + prefixLength;
        }

        @Override
        public String toString() {
            return dev == null ? cidr() : cidr() + " dev " + dev;
        }
    }

    /**
     * A {@code track_interface}, {@code track_script} or {@code track_service} entry: a name and an optional
     * weight (-253..253; null: 0 for interfaces and services, the script's own weight for scripts). Weight 0:
     * failure puts the instance in FAULT. Positive: added to the priority while up. Negative: added while down.
     */
    public record Track(String name, Integer weight) {
        public Track {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("track entry without a name");
            }
            if (weight != null && (weight < -253 || weight > 253)) {
                throw new IllegalArgumentException("track " + name + ": weight " + weight + " outside -253..253");
            }
        }

        public static Track of(String name) {
            return new Track(name, null);
        }

        public static Track of(String name, int weight) {
            return new Track(name, weight);
        }
    }

    /** v2 {@code authentication { auth_type PASS; auth_pass ... }}; AH is refused. */
    public record Authentication(String authType, String authPass) {
        public static Authentication pass(String password) {
            return new Authentication("PASS", password);
        }

        /** The 8 bytes on the wire: the password, zero padded. */
        public byte[] data() {
            return java.util.Arrays.copyOf(authPass.getBytes(StandardCharsets.UTF_8), VrrpPacket.AUTH_DATA_LENGTH);
        }
    }

    /** A {@code vrrp_script}: command line, interval, timeout, weight, rise, fall (keepalived's defaults 1 s, = interval, 0, 1, 1). */
    public record Script(String name, String script, Duration interval, Duration timeout, int weight, int rise, int fall) {
        public Script {
            String w = "vrrp_script " + name + ": ";
            if (name == null || name.isBlank()) {
                throw new VrrpConfigException("vrrp_script without a name");
            }
            if (script == null || script.isBlank()) {
                throw new VrrpConfigException(w + "script: missing");
            }
            interval = Objects.requireNonNullElse(interval, Duration.ofSeconds(1));
            if (interval.isNegative() || interval.isZero()) {
                throw new VrrpConfigException(w + "interval " + interval + ": must be positive");
            }
            timeout = Objects.requireNonNullElse(timeout, interval);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new VrrpConfigException(w + "timeout " + timeout + ": must be positive");
            }
            if (weight < -253 || weight > 253) {
                throw new VrrpConfigException(w + "weight " + weight + ": -253..253");
            }
            if (rise < 1) {
                throw new VrrpConfigException(w + "rise " + rise + ": at least 1");
            }
            if (fall < 1) {
                throw new VrrpConfigException(w + "fall " + fall + ": at least 1");
            }
        }

        public static Script of(String name, String script) {
            return new Script(name, script, null, null, 0, 1, 1);
        }
    }

    /** A {@code vrrp_sync_group}: instances that change state together, with the group's notify hooks. */
    public record SyncGroup(String name, List<String> group, String notifyMaster, String notifyBackup,
                            String notifyFault, String notifyStop, String notifyScript) {
        public SyncGroup {
            if (name == null || name.isBlank()) {
                throw new VrrpConfigException("vrrp_sync_group without a name");
            }
            group = List.copyOf(Objects.requireNonNullElse(group, List.of()));
            if (group.isEmpty()) {
                throw new VrrpConfigException("vrrp_sync_group " + name + ": group: no instances");
            }
            if (new HashSet<>(group).size() != group.size()) {
                throw new VrrpConfigException("vrrp_sync_group " + name + ": group: an instance is listed twice");
            }
        }

        public static SyncGroup of(String name, List<String> group) {
            return new SyncGroup(name, group, null, null, null, null, null);
        }
    }

    /**
     * A {@code vrrp_instance}. Defaults (see {@link #builder}) are keepalived's: state BACKUP, priority 100,
     * advert_int 1 s, version 2, preempt on, preempt_delay 0, garp_master_delay 5 s, garp_master_repeat 5,
     * garp_master_refresh 0 (off), garp_master_refresh_repeat 1.
     */
    public record Instance(String name, String interfaceName, InitialState state, int virtualRouterId, int priority,
                           Duration advertInt, int version, boolean preempt, Duration preemptDelay,
                           List<VirtualAddress> virtualIpaddress, String unicastSrcIp, List<String> unicastPeer,
                           Authentication authentication, Duration garpMasterDelay, int garpMasterRepeat,
                           Duration garpMasterRefresh, int garpMasterRefreshRepeat, List<Track> trackInterface,
                           List<Track> trackScript, List<Track> trackService, String notifyMaster,
                           String notifyBackup, String notifyFault, String notifyStop, String notifyScript) {
        public Instance {
            if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new VrrpConfigException("vrrp_instance '" + name + "': a name without white space is required");
            }
            String w = "vrrp_instance " + name + ": ";
            if (interfaceName == null || interfaceName.isBlank()) {
                throw new VrrpConfigException(w + "interface: missing");
            }
            if (interfaceName.length() > 15 || interfaceName.contains("/")) {
                throw new VrrpConfigException(w + "interface '" + interfaceName + "': 1 to 15 characters, no '/'");
            }
            state = Objects.requireNonNullElse(state, InitialState.BACKUP);
            if (virtualRouterId < 1 || virtualRouterId > 255) {
                throw new VrrpConfigException(w + "virtual_router_id " + virtualRouterId + ": 1 to 255");
            }
            if (priority < 1 || priority > 255) {
                throw new VrrpConfigException(w + "priority " + priority + ": 1 to 255 (255 = address owner)");
            }
            if (version != 2 && version != 3) {
                throw new VrrpConfigException(w + "version " + version + ": 2 or 3");
            }
            advertInt = Objects.requireNonNullElse(advertInt, Duration.ofSeconds(1));
            long ms = advertInt.toMillis();
            if (version == 2) {
                if (advertInt.toNanos() % 1_000_000_000L != 0 || ms < 1000 || ms > 255_000) {
                    throw new VrrpConfigException(w + "advert_int " + seconds(advertInt)
                            + ": version 2 needs whole seconds, 1 to 255");
                }
            } else if (advertInt.toNanos() % 10_000_000L != 0 || ms < 10 || ms > 40_950) {
                throw new VrrpConfigException(w + "advert_int " + seconds(advertInt)
                        + ": version 3 needs 0.01 to 40.95 seconds in hundredths");
            }
            preemptDelay = Objects.requireNonNullElse(preemptDelay, Duration.ZERO);
            if (preemptDelay.isNegative() || preemptDelay.compareTo(Duration.ofSeconds(1000)) > 0) {
                throw new VrrpConfigException(w + "preempt_delay " + seconds(preemptDelay) + ": 0 to 1000 seconds");
            }
            virtualIpaddress = List.copyOf(Objects.requireNonNullElse(virtualIpaddress, List.of()));
            if (virtualIpaddress.size() > VrrpPacket.MAX_ADDRESSES) {
                throw new VrrpConfigException(w + "virtual_ipaddress: " + virtualIpaddress.size()
                        + " addresses, at most 255 fit an advertisement");
            }
            Set<Integer> seen = new HashSet<>();
            for (VirtualAddress a : virtualIpaddress) {
                if (!seen.add(a.address())) {
                    throw new VrrpConfigException(w + "virtual_ipaddress " + Ipv4.format(a.address()) + ": listed twice");
                }
            }
            if (unicastSrcIp != null) {
                unicastSrcIp = parseAddress(w + "unicast_src_ip", unicastSrcIp);
            }
            unicastPeer = List.copyOf(Objects.requireNonNullElse(unicastPeer, List.of()));
            List<String> peers = new ArrayList<>();
            for (String p : unicastPeer) {
                String a = parseAddress(w + "unicast_peer", p);
                if (Ipv4.isMulticast(Ipv4.parse(a))) {
                    throw new VrrpConfigException(w + "unicast_peer " + p + ": a multicast address");
                }
                peers.add(a);
            }
            unicastPeer = List.copyOf(peers);
            if (authentication != null) {
                String type = authentication.authType() == null ? "" : authentication.authType().strip().toUpperCase();
                if (type.equals("AH")) {
                    throw new VrrpConfigException(w + "authentication auth_type AH (IPsec AH) is not supported; "
                            + "use PASS or no authentication");
                }
                if (!type.equals("PASS")) {
                    throw new VrrpConfigException(w + "authentication auth_type '" + authentication.authType()
                            + "': only PASS is supported");
                }
                if (version != 2) {
                    throw new VrrpConfigException(w + "authentication: VRRP version 3 has no authentication "
                            + "(RFC 5798); remove it or use version 2");
                }
                String p = authentication.authPass();
                if (p == null || p.isEmpty() || p.getBytes(StandardCharsets.UTF_8).length > 8) {
                    throw new VrrpConfigException(w + "authentication auth_pass: 1 to 8 characters");
                }
                authentication = new Authentication("PASS", p);
            }
            garpMasterDelay = Objects.requireNonNullElse(garpMasterDelay, Duration.ofSeconds(5));
            if (garpMasterDelay.isNegative()) {
                throw new VrrpConfigException(w + "garp_master_delay " + seconds(garpMasterDelay) + ": not negative");
            }
            if (garpMasterRepeat < 1 || garpMasterRepeat > 255) {
                throw new VrrpConfigException(w + "garp_master_repeat " + garpMasterRepeat + ": 1 to 255");
            }
            garpMasterRefresh = Objects.requireNonNullElse(garpMasterRefresh, Duration.ZERO);
            if (garpMasterRefresh.isNegative()) {
                throw new VrrpConfigException(w + "garp_master_refresh " + seconds(garpMasterRefresh) + ": not negative");
            }
            if (garpMasterRefreshRepeat < 1 || garpMasterRefreshRepeat > 255) {
                throw new VrrpConfigException(w + "garp_master_refresh_repeat " + garpMasterRefreshRepeat + ": 1 to 255");
            }
            trackInterface = tracks(w + "track_interface", trackInterface);
            trackScript = tracks(w + "track_script", trackScript);
            trackService = tracks(w + "track_service", trackService);
            notifyMaster = blankToNull(notifyMaster);
            notifyBackup = blankToNull(notifyBackup);
            notifyFault = blankToNull(notifyFault);
            notifyStop = blankToNull(notifyStop);
            notifyScript = blankToNull(notifyScript);
        }

        /** Owner of the addresses: priority 255. */
        public boolean addressOwner() {
            return priority == 255;
        }

        public boolean unicast() {
            return !unicastPeer.isEmpty();
        }

        public int advertIntCentis() {
            return (int) (advertInt.toMillis() / 10);
        }

        public static Builder builder(String name, String interfaceName, int virtualRouterId) {
            return new Builder(name, interfaceName, virtualRouterId);
        }

        public Builder toBuilder() {
            Builder b = new Builder(name, interfaceName, virtualRouterId);
            b.state = state;
            b.priority = priority;
            b.advertInt = advertInt;
            b.version = version;
            b.preempt = preempt;
            b.preemptDelay = preemptDelay;
            b.virtualIpaddress = new ArrayList<>(virtualIpaddress);
            b.unicastSrcIp = unicastSrcIp;
            b.unicastPeer = new ArrayList<>(unicastPeer);
            b.authentication = authentication;
            b.garpMasterDelay = garpMasterDelay;
            b.garpMasterRepeat = garpMasterRepeat;
            b.garpMasterRefresh = garpMasterRefresh;
            b.garpMasterRefreshRepeat = garpMasterRefreshRepeat;
            b.trackInterface = new ArrayList<>(trackInterface);
            b.trackScript = new ArrayList<>(trackScript);
            b.trackService = new ArrayList<>(trackService);
            b.notifyMaster = notifyMaster;
            b.notifyBackup = notifyBackup;
            b.notifyFault = notifyFault;
            b.notifyStop = notifyStop;
            b.notifyScript = notifyScript;
            return b;
        }

        private static List<Track> tracks(String what, List<Track> t) {
            List<Track> l = List.copyOf(Objects.requireNonNullElse(t, List.of()));
            Set<String> names = new HashSet<>();
            for (Track x : l) {
                if (!names.add(x.name())) {
                    throw new VrrpConfigException(what + " " + x.name() + ": listed twice");
                }
            }
            return l;
        }

        private static String parseAddress(String what, String text) {
            try {
                return Ipv4.format(Ipv4.parse(text));
            } catch (IllegalArgumentException e) {
                throw new VrrpConfigException(what + ": " + e.getMessage());
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    /** Builds an {@link Instance} with keepalived's defaults; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private final String interfaceName;
        private final int virtualRouterId;
        private InitialState state = InitialState.BACKUP;
        private int priority = 100;
        private Duration advertInt = Duration.ofSeconds(1);
        private int version = 2;
        private boolean preempt = true;
        private Duration preemptDelay = Duration.ZERO;
        private List<VirtualAddress> virtualIpaddress = new ArrayList<>();
        private String unicastSrcIp;
        private List<String> unicastPeer = new ArrayList<>();
        private Authentication authentication;
        private Duration garpMasterDelay = Duration.ofSeconds(5);
        private int garpMasterRepeat = 5;
        private Duration garpMasterRefresh = Duration.ZERO;
        private int garpMasterRefreshRepeat = 1;
        private List<Track> trackInterface = new ArrayList<>();
        private List<Track> trackScript = new ArrayList<>();
        private List<Track> trackService = new ArrayList<>();
        private String notifyMaster;
        private String notifyBackup;
        private String notifyFault;
        private String notifyStop;
        private String notifyScript;

        private Builder(String name, String interfaceName, int virtualRouterId) {
            this.name = name;
            this.interfaceName = interfaceName;
            this.virtualRouterId = virtualRouterId;
        }

        public Builder state(InitialState v) { state = v; return this; }
        public Builder priority(int v) { priority = v; return this; }
        public Builder advertInt(Duration v) { advertInt = v; return this; }
        public Builder version(int v) { version = v; return this; }
        public Builder preempt(boolean v) { preempt = v; return this; }
        public Builder preemptDelay(Duration v) { preemptDelay = v; return this; }
        public Builder virtualIpaddress(String... v) {
            virtualIpaddress = new ArrayList<>();
            for (String s : v) {
                virtualIpaddress.add(VirtualAddress.parse(s));
            }
            return this;
        }
        public Builder virtualIpaddress(List<VirtualAddress> v) { virtualIpaddress = new ArrayList<>(v); return this; }
        public Builder unicastSrcIp(String v) { unicastSrcIp = v; return this; }
        public Builder unicastPeer(String... v) { unicastPeer = new ArrayList<>(List.of(v)); return this; }
        public Builder authentication(Authentication v) { authentication = v; return this; }
        public Builder garpMasterDelay(Duration v) { garpMasterDelay = v; return this; }
        public Builder garpMasterRepeat(int v) { garpMasterRepeat = v; return this; }
        public Builder garpMasterRefresh(Duration v) { garpMasterRefresh = v; return this; }
        public Builder garpMasterRefreshRepeat(int v) { garpMasterRefreshRepeat = v; return this; }
        public Builder trackInterface(Track... v) { trackInterface = new ArrayList<>(List.of(v)); return this; }
        public Builder trackScript(Track... v) { trackScript = new ArrayList<>(List.of(v)); return this; }
        public Builder trackService(Track... v) { trackService = new ArrayList<>(List.of(v)); return this; }
        public Builder notifyMaster(String v) { notifyMaster = v; return this; }
        public Builder notifyBackup(String v) { notifyBackup = v; return this; }
        public Builder notifyFault(String v) { notifyFault = v; return this; }
        public Builder notifyStop(String v) { notifyStop = v; return this; }
        public Builder notifyScript(String v) { notifyScript = v; return this; }

        public Instance build() {
            return new Instance(name, interfaceName, state, virtualRouterId, priority, advertInt, version, preempt,
                    preemptDelay, virtualIpaddress, unicastSrcIp, unicastPeer, authentication, garpMasterDelay,
                    garpMasterRepeat, garpMasterRefresh, garpMasterRefreshRepeat, trackInterface, trackScript,
                    trackService, notifyMaster, notifyBackup, notifyFault, notifyStop, notifyScript);
        }
    }
}
