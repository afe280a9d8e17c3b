package org.jvs.testkit.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A network-namespace lab for the packet engine: a client, a director and real servers, each in a network
 * namespace of its own, wired through Linux bridges that live in a fifth namespace, {@code switch}, so the
 * host's namespace never gets an interface. Every namespace is named {@code jvslab-PID-XXXX-ROLE} (PID of
 * this JVM, XXXX random), so concurrent labs never collide and a lab whose JVM died can be recognised and
 * swept by the next one ({@link #sweepStale}).
 *
 * <p>Two topologies, one address plan (all documentation ranges, reachable only inside the lab):
 * <pre>
 *  DR   client 192.0.2.1 ─┐                      VIP 203.0.113.10 on every real server's lo
 *       director 192.0.2.2├─ br0 (switch)        (arp_ignore=1, arp_announce=2: they never answer ARP for it)
 *       rsN 192.0.2.(10+N)┘                      client: VIP on-link (ARP for it: only the director answers)
 *
 *  NAT  client 198.51.100.1 ── br0 ── 198.51.100.2 director 192.0.2.1 ── br1 ── rsN 192.0.2.(10+N)
 *       client: VIP and 192.0.2.0/24 via 198.51.100.2;  real servers: default via 192.0.2.1
 * </pre>
 * {@link Builder#directors}(2) adds {@code director2} at {@code .3} beside the director on every network, for
 * failover; the client then reaches the VIP on-link in NAT too, and the NAT real servers' gateway
 * {@link #NAT_GATEWAY} becomes an address that VRRP moves (the directors' own are {@code .2} and {@code .3}).
 * In DR the real servers' default route is the client (it plays the Internet router), so replies to any
 * source address go back on the wire. The VIP is not configured on the director's kernel: the packet
 * engine owns it. The director's rp_filter is off (benchmark traffic has random sources); its
 * {@code ip_forward} is off until {@link #kernelForwarding} turns it on for a kernel baseline. The veths keep the
 * kernel's default offloads, as users' veths have them: a frame a namespace sends may carry only the
 * pseudo-header part of its TCP or UDP checksum (the kernel marks it unfinished) and may be a TSO super-frame of
 * up to 64 KiB; {@link Builder#offloads}(false) turns transmit checksum offload (and TSO with it) off, so every
 * frame is finished and fits the MTU. IPv6 is off everywhere.
 *
 * <p>{@link #close} stops every process the lab started, kills anything else still running in its
 * namespaces and deletes them, also after a failed test; a JVM shutdown hook does the same if the JVM
 * exits without closing. Needs root.
 */
public final class Lab implements AutoCloseable {
    public enum Topology { DR, NAT, TUN }

    /** First part of every lab namespace name. */
    public static final String FAMILY = "jvslab-";
    /** NAT: the real servers' default route (the director's server-side address, or with two a VRRP address). */
    public static final String NAT_GATEWAY = "192.0.2.1";
    /** The virtual address the lab routes to the director. */
    public static final String VIP = "203.0.113.10";
    /** The port nginx listens on in every real server (on 0.0.0.0, so the VIP on lo answers too in DR). */
    public static final int HTTP_PORT = 80;
    /** Path nginx serves {@link #bigFile} at, the same bytes on every real server (full-size frames both ways). */
    public static final String BIG_PATH = "/big";
    /** Size of {@link #bigFile}: 1 MiB. */
    public static final int BIG_SIZE = 1 << 20;
    /** Most real servers a lab builds (addresses .11 to .110 of the server network). */
    public static final int MAX_REAL_SERVERS = 100;

    private static final Pattern LAB_NAMESPACE = Pattern.compile("^(" + FAMILY + "(\\d+)-[0-9a-f]+)-\\S+");
    private static final String SERVER_NET = "192.0.2.";
    private static final String CLIENT_NET = "198.51.100.";
    private static final int REAL_SERVER_BASE = 10;

    private final Topology topology;
    private final String prefix;
    private final Path workDir;
    private final boolean ownsWorkDir;
    private final List<Host> created = new ArrayList<>();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Thread shutdownHook;
    private Host switchHost;
    private Host client;
    private Host director;
    private Host director2;
    private final int directors;
    private final boolean offloads;
    private final List<Host> realServers = new ArrayList<>();
    private boolean closed;

    private Lab(Topology topology, Path workDir, boolean ownsWorkDir, int directors, boolean offloads) {
        this.topology = topology;
        this.directors = directors;
        this.offloads = offloads;
        this.prefix = FAMILY + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.shutdownHook = Thread.ofPlatform().name(prefix + "-teardown").unstarted(this::teardown);
    }

    /** A DR lab with {@code realServers} real servers and a fresh temporary working directory. */
    public static Lab dr(int realServers) {
        return builder(Topology.DR).realServers(realServers).build();
    }

    /** A NAT lab with {@code realServers} real servers and a fresh temporary working directory. */
    public static Lab nat(int realServers) {
        return builder(Topology.NAT).realServers(realServers).build();
    }

    public static Builder builder(Topology topology) {
        return new Builder(topology);
    }

    /** Options of a lab; {@link #build} makes it. */
    public static final class Builder {
        private final Topology topology;
        private int realServers = 3;
        private int directors = 1;
        private Path workDir;
        private boolean offloads = defaultOffloads();

        private Builder(Topology topology) {
            this.topology = topology;
        }

        public Builder realServers(int n) {
            if (n < 1 || n > MAX_REAL_SERVERS) {
                throw new IllegalArgumentException("real servers: " + n + " out of range 1.." + MAX_REAL_SERVERS);
            }
            this.realServers = n;
            return this;
        }

        /**
         * One director, or two for failover (VRRP and sync): the second, {@code director2}, sits beside the first
         * on every network, at the next address ({@code .3}). With two, the lab's routes lead to addresses that
         * move with the VRRP master rather than to a director's own: the client reaches the VIP on-link in both
         * topologies, and in NAT the real servers' default route is {@link #NAT_GATEWAY}, which no director has
         * until VRRP adds it (each director's own server-side address is {@code .2} and {@code .3}).
         */
        public Builder directors(int n) {
            if (n < 1 || n > 2) {
                throw new IllegalArgumentException("directors: " + n + " out of range 1..2");
            }
            this.directors = n;
            return this;
        }

        /**
         * Whether the lab's veths keep the kernel's default offloads (transmit checksum, TSO, GSO: on, as every
         * Docker and Kubernetes veth has them) or have transmit checksum offload turned off (which takes TSO with
         * it), so every frame on the wire is finished and no larger than the MTU. Default: on, unless the system
         * property {@code jvs.lab.offloads} says {@code off}.
         */
        public Builder offloads(boolean on) {
            this.offloads = on;
            return this;
        }

        /** Logs, configurations and captures go here and stay after close (default: a temporary directory, deleted). */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Sweeps stale labs, then builds this one; on any failure removes what it had made and throws. */
        public Lab build() {
            sweepStale();
            Path dir;
            try {
                dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("jvslab-");
            } catch (IOException e) {
                throw new UncheckedIOException("lab working directory: " + e.getMessage(), e);
            }
            Lab lab = new Lab(topology, dir, workDir == null, directors, offloads);
            Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
            try {
                lab.wire(realServers);
                return lab;
            } catch (RuntimeException | Error e) {
                lab.close();
                throw e;
            }
        }
    }

    // --- building ---------------------------------------------------------------------------------------------

    private void wire(int n) {
        switchHost = namespace("switch");
        client = namespace("client");
        director = namespace("director");
        if (directors == 2) {
            director2 = namespace("director2");
        }
        for (int i = 1; i <= n; i++) {
            realServers.add(namespace("rs" + i));
        }
        switch (topology) {
            case DR -> wireDr(true);
            case NAT -> wireNat();
            case TUN -> wireDr(false);
        }
    }

    /** {@code vipOnLo}: DR; without it TUN, where the real servers' tunnel endpoint holds the VIP. */
    private void wireDr(boolean vipOnLo) {
        bridge("br0");
        link(client, "eth0", "client", "br0", SERVER_NET + 1);
        link(director, "eth0", "director", "br0", SERVER_NET + 2);
        if (director2 != null) {
            link(director2, "eth0", "director2", "br0", SERVER_NET + 3);
            routerSysctls(director2, "eth0");
        }
        for (Host rs : realServers) {
            link(rs, "eth0", rs.name(), "br0", realServerAddress(rs));
            if (vipOnLo) {
                rs.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
            }
            // Only the director may answer ARP for the VIP: reply only for addresses of the asking interface
            // (arp_ignore=1), and never use the VIP as the source of our own ARP requests (arp_announce=2).
            rs.sysctl("net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2");
            rs.exec("ip", "route", "add", "default", "via", SERVER_NET + 1);
        }
        client.exec("ip", "route", "add", VIP + "/32", "dev", "eth0");
        routerSysctls(director, "eth0");
    }

    private void wireNat() {
        bridge("br0");
        bridge("br1");
        link(client, "eth0", "client", "br0", CLIENT_NET + 1);
        link(director, "eth0", "director-c", "br0", CLIENT_NET + 2);
        link(director, "eth1", "director-s", "br1", director2 == null ? NAT_GATEWAY : SERVER_NET + 2);
        if (director2 != null) {
            link(director2, "eth0", "director2-c", "br0", CLIENT_NET + 3);
            link(director2, "eth1", "director2-s", "br1", SERVER_NET + 3);
            routerSysctls(director2, "eth0", "eth1");
        }
        for (Host rs : realServers) {
            link(rs, "eth0", rs.name(), "br1", realServerAddress(rs));
            rs.exec("ip", "route", "add", "default", "via", NAT_GATEWAY);
        }
        if (director2 == null) {
            client.exec("ip", "route", "add", VIP + "/32", "via", CLIENT_NET + 2);
            client.exec("ip", "route", "add", SERVER_NET + "0/24", "via", CLIENT_NET + 2);
        } else {
            client.exec("ip", "route", "add", VIP + "/32", "dev", "eth0");
        }
        routerSysctls(director, "eth0", "eth1");
    }

    private static String realServerAddress(Host rs) {
        return SERVER_NET + (REAL_SERVER_BASE + Integer.parseInt(rs.name().substring(2)));
    }

    /** rp_filter off (random benchmark sources have no route back through the receiving interface), forwarding off. */
    private static void routerSysctls(Host h, String... ifnames) {
        List<String> s = new ArrayList<>(List.of("net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                "net.ipv4.ip_forward=0"));
        for (String i : ifnames) {
            s.add("net.ipv4.conf." + i + ".rp_filter=0");
        }
        h.sysctl(s.toArray(String[]::new));
    }

    private Host namespace(String role) {
        Host h = new Host(role, prefix + "-" + role);
        Commands.check("ip", "netns", "add", h.namespace());
        created.add(h);
        h.sysctl("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        h.exec("ip", "link", "set", "lo", "up");
        return h;
    }

    private void bridge(String name) {
        String sw = switchHost.namespace();
        Commands.check("ip", "-n", sw, "link", "add", name, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        Commands.check("ip", "-n", sw, "link", "set", name, "up");
        switchHost.add(new Iface(name, null, 0));
    }

    /** A veth pair made directly inside the two namespaces: {@code ifname} in {@code h}, {@code port} on the bridge. */
    private void link(Host h, String ifname, String port, String bridge, String address) {
        String sw = switchHost.namespace();
        Commands.check("ip", "link", "add", ifname, "netns", h.namespace(), "type", "veth", "peer", "name", port,
                "netns", sw);
        Commands.check("ip", "-n", sw, "link", "set", port, "master", bridge, "up");
        switchHost.add(new Iface(port, null, 0));
        if (!offloads) {
            h.exec("ethtool", "-K", ifname, "tx", "off");
        }
        Commands.check("ip", "-n", h.namespace(), "addr", "add", address + "/24", "dev", ifname);
        Commands.check("ip", "-n", h.namespace(), "link", "set", ifname, "up");
        h.add(new Iface(ifname, address, 24));
    }

    /** The default of {@link Builder#offloads}: on, unless {@code -Djvs.lab.offloads=off}. */
    static boolean defaultOffloads() {
        String v = System.getProperty("jvs.lab.offloads", "on");
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("jvs.lab.offloads: on or off, not '" + v + "'");
        };
    }

    // --- the lab's parts --------------------------------------------------------------------------------------

    /** Whether the veths keep their default offloads ({@link Builder#offloads}). */
    public boolean offloads() {
        return offloads;
    }

    public Topology topology() {
        return topology;
    }

    /** {@code jvslab-PID-XXXX}: every namespace of this lab is named {@code PREFIX-ROLE}. */
    public String prefix() {
        return prefix;
    }

    public Path workDir() {
        return workDir;
    }

    public String vip() {
        return VIP;
    }

    public Host client() {
        return client;
    }

    public Host director() {
        return director;
    }

    /** The second director of a failover lab ({@link Builder#directors}(2)). */
    public Host director2() {
        if (director2 == null) {
            throw new IllegalStateException("this lab has one director (Builder.directors(2) makes two)");
        }
        return director2;
    }

    /** The namespace holding the bridges ({@code br0}, and {@code br1} in NAT) and their ports, named by host. */
    public Host switchHost() {
        return switchHost;
    }

    public List<Host> realServers() {
        return List.copyOf(realServers);
    }

    /** Real server {@code n}, counting from 1 ({@code rs1}). */
    public Host realServer(int n) {
        if (n < 1 || n > realServers.size()) {
            throw new IllegalArgumentException("no real server " + n + " (lab has rs1..rs" + realServers.size() + ")");
        }
        return realServers.get(n - 1);
    }

    /** Every namespace of the lab, switch first. */
    public List<Host> hosts() {
        return List.copyOf(created);
    }

    /** The director's interface that faces the real servers: {@code eth0} in DR, {@code eth1} in NAT. */
    public Iface directorServerSide() {
        return director.iface(topology == Topology.NAT ? "eth1" : "eth0");
    }

    /** The director's interface that faces the client: {@code eth0} in both topologies. */
    public Iface directorClientSide() {
        return director.iface("eth0");
    }

    /**
     * Pulls (false) or plugs back (true) every cable of {@code h}: its ports on the lab's bridges go down or up,
     * so the host sees no carrier and nothing it sends or is sent reaches the other side.
     */
    public void cable(Host h, boolean connected) {
        String sw = switchHost.namespace();
        for (String port : List.of(h.name(), h.name() + "-c", h.name() + "-s")) {
            if (switchHost.interfaces().stream().anyMatch(i -> i.name().equals(port))) {
                Commands.check("ip", "-n", sw, "link", "set", port, connected ? "up" : "down");
            }
        }
    }

    // --- kernel baselines and real-server set-ups -----------------------------------------------------------

    /** Turns the director kernel's IPv4 forwarding on (kernel baselines) or off (JVS owns the traffic). */
    public void kernelForwarding(boolean on) {
        director.sysctl("net.ipv4.ip_forward=" + (on ? 1 : 0));
    }

    /**
     * The director kernel load-balances {@code VIP:port} over the real servers round robin with nftables DNAT
     * ({@code numgen inc}); conntrack undoes it on replies. NAT topology with {@link #kernelForwarding} on.
     * {@link #removeKernelDnat} removes it.
     */
    public void kernelDnatRoundRobin(int port) {
        if (topology != Topology.NAT) {
            throw new IllegalStateException("kernel DNAT needs the NAT topology (the real servers route through the director)");
        }
        String map = IntStream.range(0, realServers.size())
                .mapToObj(i -> i + " : " + realServers.get(i).address()).collect(Collectors.joining(", "));
        director.nft("""
                table ip jvslab_dnat {
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr %s tcp dport %d dnat to numgen inc mod %d map { %s }
                  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                  }
                }
                """.formatted(VIP, port, realServers.size(), map));
    }

    public void removeKernelDnat() {
        director.exec("nft", "delete", "table", "ip", "jvslab_dnat");
    }

    /**
     * Every real server drops TCP to {@code port} at its input hook (counted), so a SYN flood gets no RST or
     * SYN-ACK back and creates no socket. {@link #acceptTcpAtRealServers} undoes it.
     */
    public void dropTcpAtRealServers(int port) {
        for (Host rs : realServers) {
            rs.nft("""
                    table inet jvslab_drop {
                      chain input {
                        type filter hook input priority 0; policy accept;
                        tcp dport %d counter drop
                      }
                    }
                    """.formatted(port));
        }
    }

    public void acceptTcpAtRealServers() {
        for (Host rs : realServers) {
            rs.exec("nft", "delete", "table", "inet", "jvslab_drop");
        }
    }

    // --- processes and tools ----------------------------------------------------------------------------------

    /**
     * Starts nginx in every real server, listening on 0.0.0.0:{@value #HTTP_PORT} and answering every request
     * with the server's name and a newline ({@code rs1\n}); returns when each answers on its own address.
     */
    public void startNginx() {
        Path big = bigFile();
        try {
            // Deterministic bytes that compress to nothing and repeat nowhere: a corrupted or reordered segment shows.
            byte[] bytes = new byte[BIG_SIZE];
            new java.util.Random(BIG_SIZE).nextBytes(bytes);
            Files.write(big, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("nginx big file: " + e.getMessage(), e);
        }
        for (Host rs : realServers) {
            launchNginx(rs);
        }
        for (Host rs : realServers) {
            awaitAnswer(rs, "http://" + rs.address() + "/", rs.name(), Duration.ofSeconds(15));
        }
    }

    /**
     * Starts the same nginx on any other host of the lab (a director, for a baseline where the director itself
     * answers on the VIP), answering with the host's name; returns when it answers on the host's own address.
     * Call {@link #startNginx} first (it writes the big file).
     */
    public void startNginx(Host h) {
        launchNginx(h);
        awaitAnswer(h, "http://" + h.address() + "/", h.name(), Duration.ofSeconds(15));
    }

    private void launchNginx(Host rs) {
        Path big = bigFile();
        Path dir = workDir.resolve(rs.name() + "-nginx");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("nginx.conf"), """
                    daemon off;
                    user root;  # workers read the big file under the lab's working directory (mode 0700)
                    master_process on;
                    worker_processes 1;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 4096; }
                    http {
                      access_log off;
                      client_body_temp_path %1$s;
                      proxy_temp_path %1$s;
                      fastcgi_temp_path %1$s;
                      uwsgi_temp_path %1$s;
                      scgi_temp_path %1$s;
                      # never reached in a test run: tests count connections, and at 100 000 a 10 s wrk run
                      # on a fast machine reopened every connection once (17 scheduled instead of 9)
                      keepalive_requests 100000000;
                      server {
                        listen %2$d;
                        location / { return 200 "%3$s\\n"; }
                        location = %4$s { default_type application/octet-stream; alias %5$s; }
                      }
                    }
                    """.formatted(dir, HTTP_PORT, rs.name(), BIG_PATH, big));
        } catch (IOException e) {
            throw new UncheckedIOException("nginx config for " + rs.name() + ": " + e.getMessage(), e);
        }
        start(rs, rs.name() + "-nginx", "nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString(),
                "-e", dir.resolve("error.log").toString());
    }

    /** The file every real server's nginx serves at {@link #BIG_PATH} ({@link #BIG_SIZE} bytes; written by {@link #startNginx}). */
    public Path bigFile() {
        return workDir.resolve("big.bin");
    }

    private static void awaitAnswer(Host from, String url, String expected, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        CommandResult last = null;
        while (System.nanoTime() < end) {
            last = from.run(Duration.ofSeconds(5), "curl", "-sS", "-m", "1", url);
            if (last.ok() && last.stdout().strip().equals(expected)) {
                return;
            }
            LabProcess.sleep(100);
        }
        throw new IllegalStateException(url + " from " + from.name() + " did not answer '" + expected + "' within "
                + timeout + (last == null ? "" : ": " + last.stdout().strip() + last.stderr().strip()));
    }

    /** GET {@code url} from the client (new connection, 5 s bound); the body, stripped. Fails on any error. */
    public String curl(String url) {
        return client.exec(Duration.ofSeconds(10), "curl", "-sS", "--fail", "-m", "5", url).stdout().strip();
    }

    /** GET http://VIP/ from the client: the name of the real server that answered. */
    public String curlVip() {
        return curl("http://" + VIP + ":" + HTTP_PORT + "/");
    }

    /** wrk from the client: one thread, {@code connections} keep-alive connections, for {@code duration}. */
    public WrkResult wrk(String url, int connections, Duration duration) {
        CommandResult r = client.exec(duration.plusSeconds(30), "wrk", "-t1", "-c" + connections,
                "-d" + Math.max(1, duration.toSeconds()) + "s", url);
        return WrkResult.parse(r.stdout());
    }

    /**
     * Starts a bounded tshark capture on {@code host}'s interface (BPF {@code filter}, may be null) into a
     * pcap in the working directory; returns once packets are being captured. Stopped on close at the latest.
     */
    public Capture capture(Host host, String ifname, String filter, int maxPackets, Duration maxTime) {
        String base = host.name() + "-" + ifname + "-" + System.nanoTime();
        Capture c = Capture.start(host, ifname, filter, maxPackets, maxTime, workDir.resolve(base + ".pcap"),
                workDir.resolve(base + ".tshark.log"));
        started.add(c);
        return c;
    }

    /**
     * Starts {@code command} in {@code host}'s namespace, output to {@code WORKDIR/NAME.log}; stopped on close.
     * E.g. {@code lab.start(lab.director(), "director", "java", "-jar", jar, "director", "--config", file)}.
     */
    public LabProcess start(Host host, String name, String... command) {
        LabProcess p = LabProcess.start(host, name, List.of(command), workDir.resolve(name + ".log"));
        started.add(p);
        return p;
    }

    // --- teardown -----------------------------------------------------------------------------------------------

    /** Stops every process, deletes every namespace (and the working directory if the lab made it). Idempotent. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; teardown is idempotent
        }
    }

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("lab " + prefix + ": stopping " + started.get(i) + ": " + e.getMessage());
            }
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            deleteNamespace(created.get(i).namespace());
        }
        if (ownsWorkDir) {
            deleteTree(workDir);
        }
    }

    /**
     * Deletes the namespaces of labs whose JVM is gone (killed before it could tear down), with anything
     * still running in them. Namespaces of live JVMs, this one's included, are left alone. Returns the
     * namespaces it deleted.
     */
    public static List<String> sweepStale() {
        List<String> swept = new ArrayList<>();
        for (String ns : namespaces()) {
            Matcher m = LAB_NAMESPACE.matcher(ns);
            if (m.find() && !ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                deleteNamespace(ns);
                swept.add(ns);
            }
        }
        return swept;
    }

    /** The names of every network namespace ({@code ip netns list}). */
    public static List<String> namespaces() {
        return Stream.of(Commands.check("ip", "netns", "list").stdout().split("\n"))
                .map(l -> l.strip().split("\\s+")[0]).filter(s -> !s.isEmpty()).toList();
    }

    private static void deleteNamespace(String ns) {
        try {
            CommandResult pids = Commands.run(Commands.DEFAULT_TIMEOUT, null, List.of("ip", "netns", "pids", ns));
            for (String pid : pids.stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Commands.check("ip", "netns", "del", ns);
        } catch (RuntimeException e) {
            System.err.println("lab teardown: " + ns + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("lab teardown: " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return topology + " lab " + prefix + " (" + realServers.size() + " real servers)";
    }
}
