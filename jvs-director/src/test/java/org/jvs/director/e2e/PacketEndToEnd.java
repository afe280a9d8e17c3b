package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jvs.testkit.netns.Capture;
import org.jvs.testkit.netns.CommandResult;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.WrkResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The packet engine end to end in the netns lab, the same for VS/DR and VS/NAT: a client namespace with curl,
 * wrk and a Java keep-alive client, a director namespace running the JVS director with {@code engine: packet},
 * and three real servers running nginx that answer with their names. One lab per class (built once, closed in
 * {@link #closeLab} even after failures); one director per test, started with that test's configuration and
 * stopped after it, so no test sees another's connections, templates or counters. Root only (CI runs as root).
 * The subclasses add the wire checks of their method.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class PacketEndToEnd {
    /** Every curl of a counted phase has these bounds: a lost SYN is retransmitted after 1 s, well within them. */
    private static final int CURL_SECONDS = 5;

    final Lab.Topology topology;
    /** jvsadm's flag for the lab's forwarding method ({@code -e} puts the default back unless it is given). */
    private final String methodFlag;
    Lab lab;
    LabDirector director;

    PacketEndToEnd(Lab.Topology topology, String methodFlag) {
        this.topology = topology;
        this.methodFlag = methodFlag;
    }

    @BeforeAll
    void buildLab() {
        Lab.Builder b = labOptions(Lab.builder(topology).realServers(3));
        String keep = System.getProperty("jvs.e2e.workdir"); // to read the logs, configs and pcaps afterwards
        if (keep != null) {
            b.workDir(java.nio.file.Path.of(keep, topology.name().toLowerCase(java.util.Locale.ROOT)));
        }
        lab = b.build();
        lab.startNginx();
        prepareLab();
    }

    /** What the method needs in the lab beyond nginx (TUN: the real servers' tunnel endpoints). */
    void prepareLab() {
    }

    /** The YAML {@code method:} of the lab's real servers. */
    String methodYaml() {
        return switch (topology) {
            case DR -> "dr";
            case NAT -> "nat";
            case TUN -> "tun";
        };
    }

    /** The address a real server answers the client from: the VIP, unless VS/NAT rewrites its own. */
    String answeringAddress(Host rs) {
        return topology == Lab.Topology.NAT ? rs.address() : lab.vip();
    }

    /**
     * Where a packet that reached a real server is seen as the client's kernel sent it: the interface (DR and NAT:
     * eth0; TUN: the tunnel endpoint's device, after decapsulation) and the bytes before its IP header there.
     */
    record Arrival(String ifname, int l2) {
    }

    Arrival arrival() {
        return new Arrival("eth0", 14);
    }

    /** The lab's options beyond topology and size: the defaults (offloads on, as users' veths have them). */
    Lab.Builder labOptions(Lab.Builder b) {
        return b;
    }

    @AfterAll
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void stopDirector() {
        LabDirector d = director;
        director = null; // the next test starts its own, even if this one fails to stop cleanly
        if (d != null) {
            d.close();
        }
    }

    // --- scheduling ---------------------------------------------------------------------------------------------

    @Test
    void roundRobinSendsNineConnectionsThreeToEachRealServerInTurn() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));

        List<String> answers = curlVip(9);

        assertThat(answers.subList(0, 3)).as("first round").containsExactlyInAnyOrder("rs1", "rs2", "rs3");
        for (int i = 3; i < 9; i++) {
            assertThat(answers.get(i)).as("request %d repeats the rotation %s", i + 1, answers).isEqualTo(answers.get(i % 3));
        }
    }

    @Test
    void weightedRoundRobinThreeOneOneGivesSixtyTwentyTwentyOfOneHundredConnections() {
        director = LabDirector.start(lab, LabDirector.service(lab, "wrr", 0, 3, 1, 1));

        Map<String, Integer> counts = count(curlVip(100));

        // wrr's sequence repeats every 5 connections (sum of weights / gcd): 100 new connections are 20 whole
        // cycles, so the shares are exact, not approximately 3:1:1.
        assertThat(counts).isEqualTo(Map.of("rs1", 60, "rs2", 20, "rs3", 20));
        LabDirector.Stats s = director.stats();
        assertThat(s.service().conns()).as(s.text()).isEqualTo(100);
    }

    // --- load ---------------------------------------------------------------------------------------------------

    @Test
    void wrkForTenSecondsThroughTheVipHasNoSocketErrorsAndNoErrorAnswers() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));

        WrkResult w = lab.wrk("http://" + lab.vip() + "/", 8, Duration.ofSeconds(10));

        assertThat(w.socketErrors()).as(w.output()).isZero();
        assertThat(w.non2xx()).as(w.output()).isZero();
        assertThat(w.requests()).as(w.output()).isPositive();
        // wrk first connects once to check the address (its wrk.resolve), then holds its 8 keep-alive
        // connections for the whole run: 9 scheduled, 3 to each real server by rr.
        LabDirector.Stats s = director.stats();
        assertThat(s.service().conns()).as(s.text()).isEqualTo(9);
        assertThat(s.servers().values()).as(s.text()).allSatisfy(c -> assertThat(c.conns()).isEqualTo(3));
        assertThat(s.service().inPkts()).as(s.text()).isGreaterThanOrEqualTo(w.requests());
    }

    @Test
    void oneMebibyteDownloadsThroughTheVipArriveIntactFromEveryRealServer() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(lab.bigFile())));

        // rr: three downloads, one from each real server; full-size frames in every hop, many segments in flight.
        String url = "http://" + lab.vip() + Lab.BIG_PATH;
        String sums = lab.client().exec(Duration.ofSeconds(60), "bash", "-c",
                "set -o pipefail; for i in 1 2 3; do curl -sS --fail -m 20 " + url + " | sha256sum | cut -d' ' -f1 || exit 1; done")
                .stdout();

        assertThat(sums.lines().toList()).containsExactly(expected, expected, expected);
        LabDirector.Stats s = director.stats();
        assertThat(s.servers().values()).as(s.text()).allSatisfy(c -> assertThat(c.conns()).isEqualTo(1));
    }

    static final int SINK_PORT = 9000;

    @Test
    void fourMebibyteUploadsThroughTheVipArriveIntactAtEveryRealServer() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "tcp", SINK_PORT, "rr", 0));
        byte[] upload = new byte[4 << 20];
        new java.util.Random(12).nextBytes(upload);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));

        // The client's kernel cuts the stream as its veth allows: with offloads on, into TSO super-frames of up to
        // 64 KiB with unfinished checksums, which the engine must pass on as such.
        assertThat(uploadDigests(3, upload)).containsExactly(expected, expected, expected);
        LabDirector.Stats s = director.stats("TCP", SINK_PORT);
        assertThat(s.servers().values()).as(s.text()).allSatisfy(c -> assertThat(c.conns()).isEqualTo(1));
        long perPacket = s.service().inBytes() / Math.max(1, s.service().inPkts());
        if (lab.offloads()) {
            assertThat(perPacket).as("super-frames crossed the engine (bytes per packet in): %s", s.text()).isGreaterThan(1500);
        } else {
            assertThat(perPacket).as("no frame larger than the MTU: %s", s.text()).isLessThanOrEqualTo(1500);
        }
    }

    /** {@code n} uploads of {@code upload} to VIP:{@link #SINK_PORT}, each on a new connection: the digests answered. */
    List<String> uploadDigests(int n, byte[] upload) throws java.io.IOException {
        List<String> digests = new ArrayList<>();
        try (DigestSinks sinks = new DigestSinks()) {
            for (int i = 0; i < n; i++) {
                try (Socket s = connectToVip(SINK_PORT, 20_000)) {
                    s.getOutputStream().write(upload);
                    s.shutdownOutput();
                    digests.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
                }
            }
        }
        return digests;
    }

    /**
     * A firewall-mark service (ipvsadm -f) over two ports, classified by the packet section's mark rules (what a
     * user would write as nftables rules setting the mark), with persistence: a client's web requests and its
     * upload to the other port all go to one real server, as LVS users group HTTP and HTTPS.
     */
    @Test
    void aFirewallMarkServiceKeepsAClientOnOneServerAcrossItsPorts() throws Exception {
        String method = methodYaml();
        StringBuilder servers = new StringBuilder();
        for (Host rs : lab.realServers()) {
            servers.append("      - {address: ").append(rs.address()).append(", method: ").append(method).append("}\n");
        }
        String service = """
                  - name: web-and-upload
                    fwmark: 1
                    scheduler: rr
                    persistence: 300
                    engine: packet
                    real_servers:
                %s""".formatted(servers);
        String marks = "  marks:\n    - {mark: 1, protocol: tcp, address: " + lab.vip() + ", ports: \"80,9000\"}\n";
        director = LabDirector.start(lab, service, marks);

        List<String> answers = curlVip(3);
        byte[] upload = new byte[256 << 10];
        new java.util.Random(14).nextBytes(upload);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        assertThat(uploadDigests(1, upload)).containsExactly(expected);

        assertThat(answers).as("one server for the client").containsOnly(answers.getFirst());
        String server = server(answers.getFirst()).address();
        String listing = director.jvsadm("-L", "-n", "-c");
        List<String[]> conns = listing.lines().filter(l -> l.startsWith("TCP")).map(l -> l.strip().split("\\s+")).toList();
        assertThat(conns).as(listing).hasSize(4);
        assertThat(conns).as("every connection on %s:\n%s", server, listing)
                .allSatisfy(c -> assertThat(c[5]).startsWith(server + ":"));
        assertThat(conns.stream().map(c -> c[4].substring(c[4].lastIndexOf(':') + 1)).distinct().sorted().toList())
                .as("both ports of the mark").containsExactly("80", "9000");
        assertThat(director.jvsadm("-L", "-n")).contains("FWM  1 rr persistent 300");

        // A reload may change the mark rules (the rest of the packet section is read at start): port 9001 joins
        // the mark, so a connection to it now reaches the server, which refuses it (nothing listens there);
        // before, the port was nobody's and the SYN was dropped.
        director.reload(service, marks.replace("80,9000", "80,9000,9001"));
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> connectToVip(9001, 5000).close());
        assertThat(refused).as("refused by the real server, not timed out").hasRootCauseInstanceOf(java.net.ConnectException.class);
    }

    static final int LATE_PORT = 5300;

    /**
     * A real server's datagram to a client whose socket is gone: the client's kernel answers "port unreachable" to
     * the VIP, and the director must hand that error to the server that sent the datagram (NAT: to its own address,
     * the quote turned back into the server's packet), as IPVS does; otherwise a server never learns of dead peers,
     * nor of a smaller path MTU.
     */
    @Test
    void anIcmpErrorAboutAServersPacketToTheClientReachesThatServer() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "udp", LATE_PORT, "rr", 0));
        List<DatagramSocket> servers = new ArrayList<>();
        try {
            for (Host rs : lab.realServers()) {
                String bind = answeringAddress(rs);
                DatagramSocket s = rs.call(() -> new DatagramSocket(new InetSocketAddress(bind, LATE_PORT)));
                s.setSoTimeout(100);
                servers.add(s);
            }
            DatagramSocket c = lab.client().call(DatagramSocket::new);
            c.connect(new InetSocketAddress(lab.vip(), LATE_PORT));
            c.send(new DatagramPacket(new byte[] {'p'}, 1));
            int who = -1;
            java.net.SocketAddress client = null;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (who < 0 && System.nanoTime() < deadline) {
                for (int i = 0; i < servers.size() && who < 0; i++) {
                    DatagramPacket p = new DatagramPacket(new byte[16], 16);
                    try {
                        servers.get(i).receive(p);
                        who = i;
                        client = p.getSocketAddress();
                    } catch (java.net.SocketTimeoutException notThisOne) {
                        // next server
                    }
                }
            }
            assertThat(who).as("a real server got the datagram").isNotNegative();
            c.close();
            Host rs = lab.realServer(who + 1);
            Arrival where = arrival();
            Capture icmp = lab.capture(rs, where.ifname(), "icmp", 1, Duration.ofSeconds(15));
            Thread.sleep(500); // tshark is listening
            servers.get(who).send(new DatagramPacket(new byte[] {'l'}, 1, client));
            icmp.await();

            List<byte[]> got = icmp.frames();
            assertThat(got).as("the error reached %s", rs.name()).hasSize(1);
            java.nio.ByteBuffer f = java.nio.ByteBuffer.wrap(got.getFirst());
            String serverSide = answeringAddress(rs);
            int l2 = where.l2();
            assertThat(f.get(l2 + 20) & 0xFF).as("destination unreachable").isEqualTo(3);
            assertThat(f.get(l2 + 21) & 0xFF).as("port unreachable").isEqualTo(3);
            assertThat(ipv4(f, l2 + 16)).as("outer destination").isEqualTo(serverSide);
            assertThat(ipv4(f, l2 + 28 + 12)).as("quoted source").isEqualTo(serverSide);
            assertThat(ipv4(f, l2 + 28 + 16)).as("quoted destination").isEqualTo(lab.client().address());
            assertThat(f.getShort(l2 + 48) & 0xFFFF).as("quoted source port").isEqualTo(LATE_PORT);
            assertThat(WireChecksumOfIcmp.valid(got.getFirst(), l2)).as("IP, ICMP and quoted header checksums").isTrue();
        } finally {
            servers.forEach(DatagramSocket::close);
        }
    }

    private static String ipv4(java.nio.ByteBuffer f, int at) {
        return (f.get(at) & 0xFF) + "." + (f.get(at + 1) & 0xFF) + "." + (f.get(at + 2) & 0xFF) + "." + (f.get(at + 3) & 0xFF);
    }

    /** Checksums of a captured IPv4 ICMP error: the outer header's, the ICMP message's, the quoted header's. */
    static final class WireChecksumOfIcmp {
        /** {@code l2}: the bytes before the IP header (14 for Ethernet, 0 on a TUN device). */
        static boolean valid(byte[] f, int l2) {
            int ihl = (f[l2] & 0xF) * 4;
            int total = (f[l2 + 2] & 0xFF) << 8 | f[l2 + 3] & 0xFF;
            int icmp = l2 + ihl;
            int quoted = icmp + 8;
            int qihl = (f[quoted] & 0xF) * 4;
            return fold(f, l2, ihl) == 0xFFFF && fold(f, icmp, total - ihl) == 0xFFFF && fold(f, quoted, qihl) == 0xFFFF;
        }

        private static int fold(byte[] f, int from, int length) {
            long s = 0;
            for (int i = from; i < from + length; i += 2) {
                s += (f[i] & 0xFF) << 8 | (i + 1 < from + length ? f[i + 1] & 0xFF : 0);
            }
            while ((s >>> 16) != 0) {
                s = (s & 0xFFFF) + (s >>> 16);
            }
            return (int) s;
        }
    }

    /** On every real server, port {@link #SINK_PORT}: reads a connection to its end and answers its SHA-256 in hex. */
    final class DigestSinks implements AutoCloseable {
        private final List<java.net.ServerSocket> sockets = new ArrayList<>();

        DigestSinks() {
            try {
                for (Host rs : lab.realServers()) {
                    java.net.ServerSocket ss = rs.call(() -> new java.net.ServerSocket(SINK_PORT));
                    sockets.add(ss);
                    Thread.ofPlatform().daemon().name("sink-" + rs.name()).start(() -> digestEach(ss));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private static void digestEach(java.net.ServerSocket ss) {
            try {
                while (true) {
                    try (Socket c = ss.accept()) {
                        c.setSoTimeout(20_000);
                        MessageDigest md = MessageDigest.getInstance("SHA-256");
                        byte[] buf = new byte[65536];
                        var in = c.getInputStream();
                        for (int n; (n = in.read(buf)) > 0; ) {
                            md.update(buf, 0, n);
                        }
                        c.getOutputStream().write((HexFormat.of().formatHex(md.digest()) + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException | java.security.NoSuchAlgorithmException oneFailed) {
                        if (ss.isClosed()) {
                            return;
                        }
                    }
                }
            } catch (RuntimeException e) {
                // the test closed the socket: done
            }
        }

        @Override
        public void close() {
            for (java.net.ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
    }

    /**
     * IPVS' local node: a real server at the director's own address (ipvsadm -r with it, any method) gets its
     * connections through the director's kernel, here an nginx on the director answering with its name.
     */
    @Test
    void aRealServerAtTheDirectorsOwnAddressIsServedByTheDirectorsKernel() {
        if (!directorNginx) {
            lab.startNginx(lab.director());
            directorNginx = true;
        }
        String services = LabDirector.service(lab, "rr", 0, 1, 0, 0).replace("real_servers:\n",
                "real_servers:\n      - {address: " + lab.director().address() + ", port: 80, method: " + methodYaml() + "}\n");
        director = LabDirector.start(lab, services);

        List<String> answers = curlVip(4);

        assertThat(answers).containsExactlyInAnyOrder("rs1", "rs1", "director", "director");
        assertThat(lab.director().exec("ip", "-4", "addr", "show", "dev", "jvs-local0").stdout())
                .as("the kernel holds the VIP on the local node's device").contains(lab.vip() + "/32");
        assertThat(director.log()).contains("local node");
    }

    private boolean directorNginx;

    @Test
    void theDirectorsOwnConnectionsToTheRealServersStayWithItsKernel() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));

        // Health checks and the like: the director's address to RIP:80. In NAT the answers come from a real server's
        // address and port, which the engine also watches for replies; it must leave these to the kernel.
        for (Host rs : lab.realServers()) {
            String body = lab.director().exec(Duration.ofSeconds(10), "curl", "-sS", "--fail", "-m", "5",
                    "http://" + rs.address() + "/").stdout().strip();
            assertThat(body).isEqualTo(rs.name());
        }
        LabDirector.Stats s = director.stats();
        assertThat(s.service()).as("the engine took none of it: " + s.text()).isEqualTo(new LabDirector.Counters(0, 0, 0, 0, 0));
    }

    static final int UDP_PORT = 53;

    @Test
    void udpDatagramsFromSixClientPortsGoToEachRealServerInTurnAndTheAnswersComeFromTheVip() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "udp", UDP_PORT, "rr", 0));
        try (UdpNameServers servers = new UdpNameServers()) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(askVipOverUdp("query " + i));
            }
            assertThat(answers.subList(0, 3)).containsExactlyInAnyOrder("rs1", "rs2", "rs3");
            assertThat(answers.subList(3, 6)).isEqualTo(answers.subList(0, 3));
            LabDirector.Stats st = director.stats("UDP", UDP_PORT);
            assertThat(st.service().conns()).as(st.text()).isEqualTo(6);
            assertThat(st.service().inPkts()).as(st.text()).isEqualTo(6);
            assertThat(st.service().outPkts()).as(st.text()).isEqualTo(topology == Lab.Topology.NAT ? 6 : 0);
        }
    }

    /**
     * A 4000-byte datagram, which the client's kernel sends as three IPv4 fragments (only the first has the ports):
     * the engine must send every fragment to the server it scheduled the first to, or the server cannot reassemble
     * it and never answers.
     */
    @Test
    void fragmentedDatagramsReachOneServerWhole() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "udp", UDP_PORT, "rr", 0));
        try (UdpNameServers servers = new UdpNameServers()) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(askVipOverUdp("x".repeat(4000)));
            }
            assertThat(answers).containsExactlyInAnyOrder("rs1", "rs2", "rs3");
            LabDirector.Stats st = director.stats("UDP", UDP_PORT);
            assertThat(st.service().conns()).as(st.text()).isEqualTo(3);
        }
    }

    /** A UDP server on every real server, on {@link #UDP_PORT}, answering every datagram with the server's name. */
    final class UdpNameServers implements AutoCloseable {
        private final List<DatagramSocket> sockets = new ArrayList<>();

        UdpNameServers() {
            try {
                for (Host rs : lab.realServers()) {
                    // DR: the server must answer from the VIP, so it binds the VIP (on its lo); NAT: its own address.
                    String bind = answeringAddress(rs);
                    DatagramSocket s = rs.call(() -> new DatagramSocket(new InetSocketAddress(bind, UDP_PORT)));
                    sockets.add(s);
                    Thread.ofPlatform().daemon().name("udp-" + rs.name()).start(() -> answerWithName(s, rs.name()));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private static void answerWithName(DatagramSocket s, String name) {
            byte[] body = name.getBytes(StandardCharsets.US_ASCII);
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            try {
                while (true) {
                    p.setLength(512);
                    s.receive(p);
                    s.send(new DatagramPacket(body, body.length, p.getSocketAddress()));
                }
            } catch (java.io.IOException closed) {
                // the test closed the socket: done
            }
        }

        /** The server {@code name} dies: its socket closes and its datagrams go unanswered. */
        void stop(String name) {
            int i = lab.realServers().stream().map(Host::name).toList().indexOf(name);
            sockets.get(i).close();
        }

        @Override
        public void close() {
            sockets.forEach(DatagramSocket::close);
        }
    }

    /**
     * One datagram from a new client socket (a new source port: a new flow to schedule) to VIP:{@link #UDP_PORT};
     * the answer, which must come from the VIP within 5 s (UDP has no retransmission: a lost answer fails).
     */
    String askVipOverUdp(String question) throws java.io.IOException {
        try (DatagramSocket c = lab.client().call(DatagramSocket::new)) {
            c.setSoTimeout(5000);
            byte[] q = question.getBytes(StandardCharsets.US_ASCII);
            c.send(new DatagramPacket(q, q.length, new InetSocketAddress(lab.vip(), UDP_PORT)));
            DatagramPacket a = new DatagramPacket(new byte[64], 64);
            c.receive(a);
            assertThat(a.getSocketAddress()).as("the answer to '%s' comes from the VIP", question)
                    .isEqualTo(new InetSocketAddress(lab.vip(), UDP_PORT));
            return new String(a.getData(), 0, a.getLength(), StandardCharsets.US_ASCII);
        }
    }

    // --- statistics ---------------------------------------------------------------------------------------------

    @Test
    void statisticsCountExactlyWhatTheClientSentAndReceived() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        curlVip(3); // warm-up: neighbours resolved, counters moved
        awaitClientConnectionsDone();
        director.jvsadm("-Z");
        LabDirector.Stats zero = director.stats();
        assertThat(zero.service()).as(zero.text()).isEqualTo(new LabDirector.Counters(0, 0, 0, 0, 0));

        Capture cap = lab.capture(lab.client(), "eth0", "tcp and host " + lab.vip(), 100_000, Duration.ofSeconds(60));
        curlVip(9);
        awaitClientConnectionsDone();
        cap.stop();
        LabDirector.Stats s = director.stats();

        List<Long> sent = ipLengths(cap, "ip.dst==" + lab.vip());
        List<Long> received = ipLengths(cap, "ip.src==" + lab.vip());
        assertThat(s.service().conns()).as(s.text()).isEqualTo(9);
        assertThat(s.servers().values()).as(s.text()).allSatisfy(c -> assertThat(c.conns()).isEqualTo(3));
        // IPVS counts every packet of a connection it handles, and bytes as the IP datagram's length (no
        // Ethernet header): exactly the frames the client put on its wire toward the VIP.
        assertThat(s.service().inPkts()).as(s.text()).isEqualTo(sent.size());
        assertThat(s.service().inBytes()).as(s.text()).isEqualTo(sum(sent));
        assertThat(received).as("the client got answers").isNotEmpty();
        assertOutCounters(s, received);
        // The engine followed every connection to its end: none active, all 3 + 9 closing or closed.
        String listing = director.jvsadm("-L", "-n");
        for (Host rs : lab.realServers()) {
            String[] row = serverRow(listing, rs.address()).split("\\s+"); // -> RIP:PORT Forward Weight Active InAct
            assertThat(row[4]).as("ActiveConn of %s\n%s", rs.name(), listing).isEqualTo("0");
            assertThat(row[5]).as("InActConn of %s\n%s", rs.name(), listing).isEqualTo("4");
        }
    }

    /**
     * The outbound counters against the packets the client received from the VIP: NAT sees every reply, DR none
     * (the real servers answer the client directly).
     */
    abstract void assertOutCounters(LabDirector.Stats s, List<Long> receivedFromVip);

    // --- persistence and quiescing ------------------------------------------------------------------------------

    @Test
    void persistenceKeepsOneClientOnOneRealServerForEveryNewConnection() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 300));

        List<String> answers = curlVip(12);

        assertThat(answers).as("rr alone would rotate; the template pins the client").containsOnly(answers.getFirst());
        assertThat(director.jvsadm("-L", "-n")).contains("rr persistent 300");
        LabDirector.Stats s = director.stats();
        assertThat(s.service().conns()).as(s.text()).isEqualTo(12);
        assertThat(s.servers().get(server(answers.getFirst()).address()).conns()).as(s.text()).isEqualTo(12);
    }

    @Test
    void aQuiescedRealServerKeepsItsKeepAliveConnectionAndGetsNoNewOnes() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        // A socket made in the client's namespace stays there; this thread uses it as a keep-alive HTTP client.
        try (Socket held = connectToVip()) {
            String first = Http.exchange(held);
            Host quiesced = server(first);
            director.jvsadm("-e", "-t", director.vipPort(), "-r", quiesced.address() + ":" + Lab.HTTP_PORT,
                    methodFlag, "-w", "0");

            List<String> fresh = curlVip(10);
            for (int i = 0; i < 5; i++) {
                assertThat(Http.exchange(held)).as("request %d on the held connection", i + 2).isEqualTo(first);
            }

            assertThat(fresh).as("new connections after -w 0").doesNotContain(first).hasSize(10);
            assertThat(count(fresh)).as("the other two share the new connections").hasSize(2);
            String row = serverRow(director.jvsadm("-L", "-n"), quiesced.address());
            // -> RIP:PORT Forward Weight ActiveConn InActConn: weight 0, the held connection still active
            assertThat(row.split("\\s+")[3]).as(row).isEqualTo("0");
            assertThat(row.split("\\s+")[4]).as(row).isEqualTo("1");
        }
    }

    @Test
    void servicesChangedThroughJvsadmAreCarriedLiveAndARemovedServerFinishesItsConnection() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        String vip = director.vipPort();
        String url = "http://" + vip + "/";

        director.jvsadm("-D", "-t", vip);
        CommandResult gone = lab.client().run(Duration.ofSeconds(10), "curl", "-sS", "-m", "2", url);
        assertThat(gone.ok()).as("no service, no answer: %s", gone.stdout()).isFalse();

        director.jvsadm("-A", "-t", vip, "-s", "rr", "--engine", "packet");
        director.jvsadm("-a", "-t", vip, "-r", lab.realServer(1).address() + ":" + Lab.HTTP_PORT, methodFlag);
        assertThat(curlVip(2)).containsOnly("rs1");
        try (Socket held = connectToVip()) {
            assertThat(Http.exchange(held)).isEqualTo("rs1");
            for (int i = 2; i <= 3; i++) {
                director.jvsadm("-a", "-t", vip, "-r", lab.realServer(i).address() + ":" + Lab.HTTP_PORT, methodFlag);
            }
            director.jvsadm("-d", "-t", vip, "-r", lab.realServer(1).address() + ":" + Lab.HTTP_PORT);

            assertThat(curlVip(4)).as("new connections after rs1 left").containsOnly("rs2", "rs3");
            // expire_nodest_conn is off (the default): the connection keeps its server, as in IPVS.
            assertThat(Http.exchange(held)).as("the held connection after rs1 was removed").isEqualTo("rs1");
        }
    }

    @Test
    void aReloadBySighupIsCarried() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        assertThat(curlVip(3)).containsExactlyInAnyOrder("rs1", "rs2", "rs3");

        director.reload(LabDirector.service(lab, "rr", 0, 0, 1, 0)); // rs1 and rs3 quiesced in the file

        assertThat(curlVip(4)).containsOnly("rs2");
        assertThat(director.log()).contains("changed " + lab.realServer(1).address() + ":80");
    }

    /** A keep-alive connection from the client to the VIP, made in the client's namespace and used from this thread. */
    Socket connectToVip() {
        return connectToVip(Lab.HTTP_PORT, 5000);
    }

    /** A connection from the client to VIP:{@code port} (connect bound 5 s, reads {@code readMillis}). */
    Socket connectToVip(int port, int readMillis) {
        return lab.client().call(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(lab.vip(), port), 5000);
            s.setSoTimeout(readMillis);
            return s;
        });
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    /** What tshark saw on the client's eth0 and on each real server's eth0 (rs1 first). */
    record Wire(Capture client, List<Capture> servers) {
    }

    /**
     * Starts an rr director, captures ({@code bpf}) on the client and every real server while the client makes three
     * connections to the VIP (rr: one to each real server), and returns the captures once the traffic is over.
     */
    Wire threeConnectionsOnTheWire(String bpf) {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        Capture client = lab.capture(lab.client(), "eth0", bpf, 10_000, Duration.ofSeconds(60));
        List<Capture> servers = new ArrayList<>();
        for (Host rs : lab.realServers()) {
            servers.add(lab.capture(rs, "eth0", bpf, 10_000, Duration.ofSeconds(60)));
        }
        curlVip(3);
        awaitClientConnectionsDone();
        List<Capture> all = new ArrayList<>(servers);
        all.add(client);
        Capture.stopAll(all);
        return new Wire(client, servers);
    }

    /** {@code n} sequential GETs from the client to http://VIP/, each on a new connection; the bodies in order. */
    List<String> curlVip(int n) {
        String url = "http://" + lab.vip() + ":" + Lab.HTTP_PORT + "/";
        CommandResult r = lab.client().exec(Duration.ofSeconds(10L + (long) n * CURL_SECONDS), "bash", "-c",
                "for i in $(seq " + n + "); do curl -sS --fail -m " + CURL_SECONDS + " " + url + " || exit 1; done");
        List<String> answers = r.stdout().lines().map(String::strip).toList();
        assertThat(answers).as("answers").hasSize(n);
        return answers;
    }

    /**
     * Waits until every client socket to the VIP has finished (none left, or TIME-WAIT: the client has sent its last
     * ACK and the peer its FIN), so the wire is quiet for counting. Bounded.
     */
    void awaitClientConnectionsDone() {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String open = "";
        while (System.nanoTime() < end) {
            open = lab.client().exec("ss", "-Htan", "dst", lab.vip()).stdout().lines()
                    .filter(l -> !l.startsWith("TIME-WAIT")).reduce("", (a, b) -> a + b + "\n");
            if (open.isEmpty()) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("client connections to the VIP still open after 15 s:\n" + open);
    }

    Host server(String name) {
        return lab.realServers().stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no real server named '" + name + "'"));
    }

    static String serverRow(String listing, String address) {
        return listing.lines().map(String::strip).filter(l -> l.startsWith("-> " + address + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + address + " in\n" + listing));
    }

    static List<Long> ipLengths(Capture cap, String displayFilter) {
        return cap.fieldsWhere(displayFilter, "ip.len").stream().map(r -> Long.parseLong(r.getFirst())).toList();
    }

    static long sum(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sum();
    }

    static Map<String, Integer> count(List<String> names) {
        Map<String, Integer> m = new HashMap<>();
        names.forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
