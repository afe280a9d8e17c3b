package org.jvs.packet.engine;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the packet engine runs on: its interfaces (each with a role), the worker threads per interface, and
 * where replies to clients beyond the connected subnets go.
 *
 * @param interfaces        the engine's interfaces, at least one, names unique
 * @param workersPerInterface worker threads (and receive sockets, in one fanout group) per interface, 1..64
 * @param gateway           IPv4 next hop for clients on no connected subnet (as an int), or 0 to take the
 *                          default route's gateway from {@code /proc/net/route}
 * @param nftTable          name of the {@code netdev} nftables table the engine owns (created at start,
 *                          deleted at stop), or null to leave nftables alone
 * @param batchSize         frames per receive batch
 * @param frameSize         largest frame (bytes); the default, {@value #DEFAULT_FRAME_SIZE}, holds a TSO/GSO
 *                          super-frame of 64 KiB with its Ethernet header and a VLAN tag (a smaller one drops those
 *                          as malformed)
 * @param pollMillis        how long an idle worker waits in {@code poll} before looking at its stop flag
 * @param neighbourCapacity addresses per interface's neighbour table
 * @param marks             the firewall-mark classifier for firewall-mark services ({@link MarkRule}), in order
 */
public record EngineConfig(List<Interface> interfaces, int workersPerInterface, int gateway, String nftTable,
                           int batchSize, int frameSize, int pollMillis, int neighbourCapacity, List<MarkRule> marks) {

    public static final String DEFAULT_NFT_TABLE = "jvs_packet";
    /** An IPv4 packet of 65 535 bytes, an Ethernet header and a VLAN tag, rounded up to 16. */
    public static final int DEFAULT_FRAME_SIZE = 65_568;
    public static final int MAX_FRAME_SIZE = DEFAULT_FRAME_SIZE;

    /** What an interface faces: clients (VIPs are answered for there), real servers, or both (one network). */
    public enum Role {
        CLIENT, SERVER, BOTH;

        public boolean facesClients() {
            return this != SERVER;
        }

        public boolean facesServers() {
            return this != CLIENT;
        }
    }

    public record Interface(String name, Role role) {
        public Interface {
            if (name == null || name.isEmpty() || name.length() > 15 || name.indexOf('/') >= 0
                    || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                throw new IllegalArgumentException("bad interface name '" + name + "': 1 to 15 characters, no '/', quote or space");
            }
            if (role == null) {
                throw new IllegalArgumentException("interface " + name + " needs a role (client, server or both)");
            }
        }
    }

    public EngineConfig {
        interfaces = List.copyOf(interfaces);
        marks = List.copyOf(marks);
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException("the packet engine needs at least one interface");
        }
        Set<String> seen = new HashSet<>();
        for (Interface i : interfaces) {
            if (!seen.add(i.name())) {
                throw new IllegalArgumentException("interface " + i.name() + " is listed twice");
            }
        }
        if (interfaces.stream().noneMatch(i -> i.role().facesClients())) {
            throw new IllegalArgumentException("no interface faces clients (role client or both)");
        }
        if (interfaces.stream().noneMatch(i -> i.role().facesServers())) {
            throw new IllegalArgumentException("no interface faces real servers (role server or both)");
        }
        if (workersPerInterface < 1 || workersPerInterface > 64) {
            throw new IllegalArgumentException("workers " + workersPerInterface + " outside 1..64");
        }
        if (nftTable != null && !nftTable.matches("[A-Za-z][A-Za-z0-9_]{0,31}")) {
            throw new IllegalArgumentException("nftables table name '" + nftTable + "': a letter, then letters, digits or _ (at most 32)");
        }
        if (batchSize < 1 || batchSize > 1024 || frameSize < 64 || frameSize > MAX_FRAME_SIZE || pollMillis < 1
                || pollMillis > 10_000 || neighbourCapacity < 1 || neighbourCapacity > 1 << 24) {
            throw new IllegalArgumentException("bad engine tuning: batch " + batchSize + ", frame " + frameSize
                    + ", poll " + pollMillis + " ms, neighbours " + neighbourCapacity);
        }
    }

    /** Defaults: one worker per interface, default-route gateway, table {@value #DEFAULT_NFT_TABLE}. */
    public static EngineConfig of(List<Interface> interfaces) {
        return new EngineConfig(interfaces, 1, 0, DEFAULT_NFT_TABLE, 32, DEFAULT_FRAME_SIZE, 100, 4096, List.of());
    }

    public EngineConfig withWorkers(int n) {
        return new EngineConfig(interfaces, n, gateway, nftTable, batchSize, frameSize, pollMillis, neighbourCapacity, marks);
    }

    public EngineConfig withGateway(int ipv4) {
        return new EngineConfig(interfaces, workersPerInterface, ipv4, nftTable, batchSize, frameSize, pollMillis, neighbourCapacity, marks);
    }

    public EngineConfig withMarks(List<MarkRule> rules) {
        return new EngineConfig(interfaces, workersPerInterface, gateway, nftTable, batchSize, frameSize, pollMillis, neighbourCapacity, rules);
    }

    public EngineConfig withNftTable(String table) {
        return new EngineConfig(interfaces, workersPerInterface, gateway, table, batchSize, frameSize, pollMillis, neighbourCapacity, marks);
    }
}
