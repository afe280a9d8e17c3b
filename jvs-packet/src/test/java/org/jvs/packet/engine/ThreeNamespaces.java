package org.jvs.packet.engine;

import static org.jvs.packet.NetnsPair.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client, a director and a real server, each in a network namespace of its own ({@code jvs-XXXXXX-c/-d/-s},
 * random suffix), on two networks with the director between them: client {@value #CLIENT_IP}/24 on veth
 * {@code jvXXXXXXc} ↔ director {@value #DIRECTOR_CLIENT_SIDE}/24 on {@code jvXXXXXXdc}; director
 * {@value #DIRECTOR_SERVER_SIDE}/24 on {@code jvXXXXXXds} ↔ server {@value #SERVER_IP}/24 on {@code jvXXXXXXs}.
 * IPv6 is off, so nothing but the test's own frames and ARP cross. {@link #close} deletes it all, whatever
 * state it is in. Needs root.
 */
final class ThreeNamespaces implements AutoCloseable {
    static final String CLIENT_IP = "10.1.0.2";
    static final String DIRECTOR_CLIENT_SIDE = "10.1.0.1";
    static final String DIRECTOR_SERVER_SIDE = "10.2.0.1";
    static final String SERVER_IP = "10.2.0.2";

    final String client;
    final String director;
    final String server;
    final String clientIf;
    final String directorClientIf;
    final String directorServerIf;
    final String serverIf;
    private final List<String> created = new ArrayList<>();

    private ThreeNamespaces(String suffix) {
        client = "jvs-" + suffix + "-c";
        director = "jvs-" + suffix + "-d";
        server = "jvs-" + suffix + "-s";
        clientIf = "jv" + suffix + "c";
        directorClientIf = "jv" + suffix + "dc";
        directorServerIf = "jv" + suffix + "ds";
        serverIf = "jv" + suffix + "s";
    }

    static ThreeNamespaces create() {
        ThreeNamespaces t = new ThreeNamespaces(String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24)));
        try {
            for (String ns : List.of(t.client, t.director, t.server)) {
                ip("netns", "add", ns);
                t.created.add(ns);
                ip("netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1");
                ip("-n", ns, "link", "set", "lo", "up");
            }
            ip("link", "add", t.clientIf, "netns", t.client, "type", "veth", "peer", "name", t.directorClientIf, "netns", t.director);
            ip("link", "add", t.directorServerIf, "netns", t.director, "type", "veth", "peer", "name", t.serverIf, "netns", t.server);
            address(t.client, t.clientIf, CLIENT_IP);
            address(t.director, t.directorClientIf, DIRECTOR_CLIENT_SIDE);
            address(t.director, t.directorServerIf, DIRECTOR_SERVER_SIDE);
            address(t.server, t.serverIf, SERVER_IP);
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    private static void address(String ns, String ifname, String address) {
        ip("-n", ns, "addr", "add", address + "/24", "dev", ifname);
        ip("-n", ns, "link", "set", ifname, "up");
    }

    /** Runs a command inside {@code ns} ({@code ip netns exec}), at most 20 s; its output, or a failure. */
    static String exec(String ns, String... command) {
        List<String> args = new ArrayList<>(List.of("netns", "exec", ns));
        args.addAll(List.of(command));
        return ip(args.toArray(String[]::new));
    }

    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                ip("netns", "del", created.get(i)); // takes its ends of the veth pairs along
            } catch (RuntimeException e) {
                System.err.println("ThreeNamespaces cleanup: " + e.getMessage());
            }
        }
        created.clear();
    }
}
