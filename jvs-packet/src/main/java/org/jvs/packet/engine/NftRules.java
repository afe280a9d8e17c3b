package org.jvs.packet.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The engine's nftables table: {@code table netdev <name>} with one ingress chain per engine interface that
 * drops, before the kernel's IP stack sees them, the frames the engine owns: IPv4 to a packet service's
 * VIP:port on interfaces facing clients (then the rest of the VIP's IPv4 traffic), and IPv4 from a VS/NAT real server's address:port on interfaces facing
 * servers and not addressed to the interface's own address (otherwise a director with forwarding on would also
 * route the reply un-NATed; its own health checks to the server stay the kernel's). AF_PACKET sockets
 * still get those frames: the kernel hands every frame to packet taps before the netdev ingress hook.
 *
 * <p>Every rule counts ({@code counter}), so {@code nft list table netdev <name>} shows what the engine took.
 * Applied as one {@code nft -f -} transaction (create, flush by delete, define): the table is replaced whole,
 * never half-written. Runs {@code nft} in the calling thread's network namespace.
 */
public final class NftRules {
    private static final long TIMEOUT_SECONDS = 10;

    private NftRules() {
    }

    /** The nft script that (re)defines {@code table} for {@code links} and {@code owned}. */
    public static String script(String table, List<Link> links, OwnedServices.Snapshot owned) {
        StringBuilder sb = new StringBuilder();
        // "add" makes the delete succeed when the table is new; both lines and the definition are one transaction.
        sb.append("add table netdev ").append(table).append('\n');
        sb.append("delete table netdev ").append(table).append('\n');
        sb.append("table netdev ").append(table).append(" {\n");
        for (Link l : links) {
            sb.append("  chain in_").append(l.name().replaceAll("[^A-Za-z0-9_]", "_")).append(" {\n");
            sb.append("    type filter hook ingress device \"").append(l.name()).append("\" priority -500; policy accept;\n");
            if (l.role().facesClients()) {
                for (long k : owned.services()) {
                    sb.append("    ip daddr ").append(Addresses.ipv4(OwnedServices.address(k)))
                            .append(portMatch(k, "dport")).append(" counter drop\n");
                }
                // The rest of a VIP's IPv4 traffic (other ports, ICMP): the kernel does not have the VIP, and one
                // that forwards would send it back out toward the VIP, that is to this engine, until the TTL ran out.
                for (int vip : java.util.stream.IntStream.concat(java.util.Arrays.stream(owned.vipList()), java.util.Arrays.stream(owned.heldList())).sorted().toArray()) {
                    sb.append("    ip daddr ").append(Addresses.ipv4(vip)).append(" counter drop\n");
                }
            }
            if (l.role().facesServers()) {
                // Traffic between the real server and the director itself (health checks) stays the kernel's.
                String notToUs = l.address() == 0 ? "" : " ip daddr != " + Addresses.ipv4(l.address());
                for (long k : owned.natSources()) {
                    sb.append("    ip saddr ").append(Addresses.ipv4(OwnedServices.address(k))).append(notToUs)
                            .append(portMatch(k, "sport")).append(" counter drop\n");
                }
            }
            sb.append("  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String portMatch(long key, String field) {
        String proto = switch (OwnedServices.protocol(key)) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            default -> throw new IllegalArgumentException("protocol " + OwnedServices.protocol(key));
        };
        int port = OwnedServices.port(key);
        return port == 0 ? " ip protocol " + proto : " " + proto + " " + field + " " + port;
    }

    /** Installs (or replaces) the table; IllegalStateException with nft's own message when it refuses. */
    public static void install(String table, List<Link> links, OwnedServices.Snapshot owned) {
        run(List.of("nft", "-f", "-"), script(table, links, owned));
    }

    /** Deletes the table; false (not an error) when it does not exist. */
    public static boolean remove(String table) {
        try {
            run(List.of("nft", "delete", "table", "netdev", table), "");
            return true;
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("No such file or directory")) {
                return false;
            }
            throw e;
        }
    }

    /** {@code nft list table netdev <table>}, or null when there is no such table. */
    public static String list(String table) {
        try {
            return run(List.of("nft", "list", "table", "netdev", table), "");
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("No such file or directory")) {
                return null;
            }
            throw e;
        }
    }

    private static String run(List<String> cmd, String input) {
        List<String> command = new ArrayList<>(cmd);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": no answer in " + TIMEOUT_SECONDS + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command)
                    + " (is nftables installed? apt-get install nftables): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
