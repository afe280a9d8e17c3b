package org.jvs.bench.takeover;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;

/**
 * Two {@code bin/jvs director}s, as docs/failover.md sets up a pair: VS/DR on the packet engine over the lab's
 * real servers, VRRP v3 for the VIP (advert 1 s, preempt off), and a master and a backup sync daemon on each.
 */
final class JvsPair implements DirectorPair {
    private final Lab lab;
    private final Path jvsHome;
    private final Map<Host, Node> nodes = new HashMap<>();
    private int starts;

    private record Node(LabProcess process, Path socket) {
    }

    JvsPair(Lab lab, Path jvsHome) {
        this.lab = lab;
        this.jvsHome = jvsHome;
    }

    @Override
    public String system() {
        return "jvs";
    }

    @Override
    public boolean syncsConnections() {
        return true;
    }

    @Override
    public void start(Host host, int priority) throws Exception {
        int n = ++starts;
        Path socket = lab.workDir().resolve("jvs-" + n + ".sock");
        Path config = lab.workDir().resolve("jvs-" + n + ".yaml");
        String servers = lab.realServers().stream()
                .map(rs -> "      - {address: " + rs.address() + ", port: " + Lab.HTTP_PORT + ", method: dr}")
                .collect(Collectors.joining("\n"));
        Files.writeString(config, """
                director:
                  control_socket: %s
                  conn_table_size: 65536
                packet:
                  interfaces:
                    - {name: eth0, role: both}
                  workers: 1
                sync:
                  daemons:
                    - {state: master, mcast_interface: eth0, syncid: 5}
                    - {state: backup, mcast_interface: eth0, syncid: 5}
                vrrp:
                  instances:
                    - name: VI_WEB
                      interface: eth0
                      virtual_router_id: 51
                      priority: %d
                      advert_int: 1s
                      version: 3
                      preempt: false
                      virtual_ipaddress: [%s/32]
                services:
                  - name: web
                    address: %s
                    port: %d
                    scheduler: rr
                    engine: packet
                    real_servers:
                %s
                """.formatted(socket, priority, Lab.VIP, Lab.VIP, Lab.HTTP_PORT, servers));
        LabProcess p = lab.start(host, "jvs-" + n + "-" + host.name(), jvsHome.resolve("bin/jvs").toString(),
                "director", "--config", config.toString());
        p.awaitOutput("JVS director", Duration.ofSeconds(90));
        nodes.put(host, new Node(p, socket));
        await("answering on its control socket", Duration.ofSeconds(30), () -> vrrp(host).contains("\"state\""));
    }

    @Override
    public boolean isMaster(Host host) throws IOException {
        return vrrp(host).contains("\"state\":\"MASTER\"");
    }

    @Override
    public boolean isBackup(Host host) throws IOException {
        return vrrp(host).contains("\"state\":\"BACKUP\"");
    }

    @Override
    public int connections(Host host) throws IOException {
        return get(node(host).socket(), "/v1/connections").split("\"ESTABLISHED\"", -1).length - 1;
    }

    @Override
    public void kill(Host host) {
        Node n = nodes.remove(host);
        if (n != null) {
            ProcessHandle.of(n.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
            n.process().waitFor(Duration.ofSeconds(10));
        }
    }

    @Override
    public void cleanUpAfterKill(Host host) {
        // The packet engine put nothing on the kernel's interface; a new director takes its nft table over.
    }

    @Override
    public void stopAll() {
        for (Node n : nodes.values()) {
            n.process().stop(Duration.ofSeconds(10));
        }
        nodes.clear();
    }

    private String vrrp(Host host) throws IOException {
        return get(node(host).socket(), "/v1/vrrp");
    }

    private Node node(Host host) {
        Node n = nodes.get(host);
        if (n == null) {
            throw new IllegalStateException("no JVS director runs on " + host.name());
        }
        return n;
    }

    /** GET over the control socket (HTTP/1.1, one request per connection): the body; "" when nobody answers. */
    static String get(Path socket, String path) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return "";
        }
        try (ch; OutputStream out = Channels.newOutputStream(ch); InputStream in = Channels.newInputStream(ch)) {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: jvs\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            return split < 0 ? "" : all.substring(split + 4);
        }
    }
}
