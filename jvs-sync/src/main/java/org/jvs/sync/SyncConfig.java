package org.jvs.sync;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * What the director's {@code sync:} section (or {@code jvsadm --start-daemon}) asks for: the message version and
 * IPVS' {@code sync_threshold} pair, shared by every daemon, and the daemons themselves, at most one master and
 * one backup (IPVS' limit; both at once is how a pair syncs in both directions).
 *
 * @param threshold IPVS {@code sync_threshold[0]}: the packet number (modulo {@code period}) that syncs an entry
 * @param period    IPVS {@code sync_threshold[1]}: resend an entry every this many packets (0: only once)
 */
public record SyncConfig(SyncVersion version, int threshold, int period, List<Daemon> daemons) {
    public static final int DEFAULT_THRESHOLD = 3;
    public static final int DEFAULT_PERIOD = 50;
    /** No daemons: the director neither sends nor receives connections. */
    public static final SyncConfig NONE = new SyncConfig(SyncVersion.V1, DEFAULT_THRESHOLD, DEFAULT_PERIOD, List.of());

    public SyncConfig {
        daemons = List.copyOf(daemons);
        if (period < 0 || period > 255) {
            throw new IllegalArgumentException("period " + period + " out of range 0..255");
        }
        if (period > 0 ? threshold < 0 || threshold >= period : threshold < 0 || threshold > 255) {
            throw new IllegalArgumentException("threshold " + threshold + " must be below the period (" + period + ")");
        }
        for (Role r : Role.values()) {
            if (daemons.stream().filter(d -> d.state() == r).count() > 1) {
                throw new IllegalArgumentException("more than one " + r.label() + " daemon: IPVS runs at most one master and one backup");
            }
        }
    }

    public SyncConfig withDaemons(List<Daemon> ds) {
        return new SyncConfig(version, threshold, period, ds);
    }

    public Daemon daemon(Role r) {
        return daemons.stream().filter(d -> d.state() == r).findFirst().orElse(null);
    }

    public enum Role {
        MASTER, BACKUP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Role parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "master" -> MASTER;
                case "backup" -> BACKUP;
                default -> throw new IllegalArgumentException("sync daemon state '" + s + "': expected master or backup");
            };
        }
    }

    /**
     * One daemon, with ipvsadm's options.
     *
     * @param maxLen {@code --sync-maxlen}; 0 takes the kernel's default (1472 for a master; for a backup the
     *               interface MTU less the IP and UDP headers)
     */
    public record Daemon(Role state, String mcastInterface, int syncId, int maxLen, InetAddress group, int port, int ttl) {
        public Daemon {
            if (state == null) {
                throw new IllegalArgumentException("a sync daemon needs a state (master or backup)");
            }
            if (mcastInterface == null || mcastInterface.isBlank() || mcastInterface.length() > 15) {
                throw new IllegalArgumentException("a sync daemon needs its multicast interface (--mcast-interface, at most 15 characters)");
            }
            if (syncId < 0 || syncId > 255) {
                throw new IllegalArgumentException("syncid " + syncId + " out of range 0..255");
            }
            if (maxLen != 0 && (maxLen < 1 || maxLen > 65535 - SyncProtocol.IPV4_UDP_OVERHEAD)) {
                throw new IllegalArgumentException("sync maxlen " + maxLen + " out of range 1.." + (65535 - SyncProtocol.IPV4_UDP_OVERHEAD));
            }
            if (group == null) {
                group = defaultGroup();
            }
            if (!(group instanceof Inet4Address) || !group.isMulticastAddress()) {
                throw new IllegalArgumentException("mcast group " + group.getHostAddress() + " is not an IPv4 multicast address");
            }
            if (port == 0) {
                port = SyncProtocol.DEFAULT_PORT;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("mcast port " + port + " out of range 1..65535");
            }
            if (ttl == 0) {
                ttl = 1;
            }
            if (ttl < 1 || ttl > 255) {
                throw new IllegalArgumentException("mcast ttl " + ttl + " out of range 1..255");
            }
        }

        public static Daemon of(Role state, String mcastInterface, int syncId) {
            return new Daemon(state, mcastInterface, syncId, 0, null, 0, 0);
        }

        private static InetAddress defaultGroup() {
            try {
                return InetAddress.getByName(SyncProtocol.DEFAULT_GROUP);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
