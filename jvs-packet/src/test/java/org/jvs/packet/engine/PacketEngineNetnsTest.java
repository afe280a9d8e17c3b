package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvs.packet.engine.ThreeNamespaces.CLIENT_IP;
import static org.jvs.packet.engine.ThreeNamespaces.SERVER_IP;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.Clock;
import org.jvs.packet.AfPacketIo;
import org.jvs.packet.ArpPacket;
import org.jvs.packet.Checksum;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.NetnsPair;
import org.jvs.packet.PacketBatch;
import org.jvs.packet.PacketIoException;
import org.jvs.packet.ThreadCaps;
import org.jvs.packet.UdpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real {@link PacketEngine} in a director namespace between a client and a real server (as root; CI runs as
 * root, and the fixture fails without it). The client and the server are AF_PACKET sockets in their own
 * namespaces, so the test writes and reads whole frames; their kernels have addresses and answer the engine's
 * ARP requests. Proves: VS/NAT rewrites both ways across two networks, VS/DR changes only the Ethernet
 * addresses, next hops are resolved by the engine's own ARP, VIPs are announced by gratuitous ARP at start and
 * when a service is added, the nftables table drops the engine's frames in the director's ingress hook while the
 * engine's taps still see them (the rule counters move and the frames are forwarded), the director's kernel
 * does not also route a NAT reply un-NATed (forwarding is on in its namespace), and stop removes the table.
 */
@Timeout(60)
class PacketEngineNetnsTest {
    private static final int VIP_NAT = Frames.ip(10, 1, 0, 100);
    private static final int VIP_DR = Frames.ip(10, 1, 0, 101);
    private static final int VIP_LATE = Frames.ip(10, 1, 0, 102);
    private static final int CLIENT = Frames.ip(10, 1, 0, 2);
    private static final int RIP = Frames.ip(10, 2, 0, 2);
    private static final String TABLE = "jvs_test";

    private ThreeNamespaces lab;
    private LoadBalancer lb;
    private PacketEngine engine;
    private AfPacketIo clientIo;
    private AfPacketIo serverIo;
    private final PacketBatch rx = new PacketBatch(java.lang.foreign.Arena.ofAuto(), 32, 2048);
    private final PacketBatch tx = new PacketBatch(java.lang.foreign.Arena.ofAuto(), 1, 2048);

    @BeforeEach
    void setUp() {
        lab = ThreeNamespaces.create();
        ThreeNamespaces.exec(lab.director, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(4096, 64), Clock.SYSTEM);
        service(Protocol.UDP, VIP_NAT, 5000, RIP, 6000, ForwardingMethod.NAT);
        service(Protocol.UDP, VIP_DR, 7000, RIP, 7000, ForwardingMethod.DIRECT_ROUTE);
        clientIo = NetnsPair.inNamespace(lab.client, () -> AfPacketIo.open(lab.clientIf));
        serverIo = NetnsPair.inNamespace(lab.server, () -> AfPacketIo.open(lab.serverIf));
    }

    @AfterEach
    void tearDown() {
        try {
            if (engine != null) {
                engine.stop(Duration.ofSeconds(5));
            }
        } finally {
            if (clientIo != null) {
                clientIo.close();
            }
            if (serverIo != null) {
                serverIo.close();
            }
            if (lb != null) {
                lb.close();
            }
            lab.close();
        }
    }

    private void service(Protocol proto, int vip, int vport, int rip, int rport, ForwardingMethod m) {
        ServiceKey key = new ServiceKey.Virtual(proto, IpAddr.v4(vip), vport);
        lb.addService(ServiceSpec.of(key, "rr").withEngine(Engine.PACKET));
        lb.addDest(key, DestSpec.of(IpAddr.v4(rip), rport, m));
    }

    private void startEngine() {
        startEngine(1);
    }

    private void startEngine(int workers) {
        EngineConfig config = EngineConfig.of(List.of(
                        new EngineConfig.Interface(lab.directorClientIf, EngineConfig.Role.CLIENT),
                        new EngineConfig.Interface(lab.directorServerIf, EngineConfig.Role.SERVER)))
                .withNftTable(TABLE).withWorkers(workers);
        engine = NetnsPair.inNamespace(lab.director, () -> PacketEngine.start(lb, config));
    }

    @Test
    void twoWorkersPerInterfaceInAFanoutGroupForwardEveryFlow() {
        startEngine(2);
        assertThat(engine.workerNames()).containsExactly("jvs-packet-" + lab.directorClientIf + "-0",
                "jvs-packet-" + lab.directorClientIf + "-1", "jvs-packet-" + lab.directorServerIf + "-0",
                "jvs-packet-" + lab.directorServerIf + "-1");
        long clientMac = NetnsPair.mac(lab.client, lab.clientIf);
        long directorClientMac = NetnsPair.mac(lab.director, lab.directorClientIf);
        for (int port = 4100; port < 4108; port++) {
            int p = port;
            byte[] request = Frames.udp(directorClientMac, clientMac, CLIENT, p, VIP_NAT, 5000, "flow".getBytes());
            sendUntilSeen(clientIo, request, serverIo, f -> udpTo(f, RIP, 6000) && udpFrom(f, CLIENT, p));
        }
        assertThat(engine.counters().forwardedNat()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void natBothWaysAcrossTwoNetworksWithTheKernelKeptOff() {
        startEngine();
        long clientMac = NetnsPair.mac(lab.client, lab.clientIf);
        long serverMac = NetnsPair.mac(lab.server, lab.serverIf);
        long directorClientMac = NetnsPair.mac(lab.director, lab.directorClientIf);
        long directorServerMac = NetnsPair.mac(lab.director, lab.directorServerIf);
        byte[] payload = "to the VIP".getBytes();
        byte[] request = Frames.udp(directorClientMac, clientMac, CLIENT, 4000, VIP_NAT, 5000, payload);

        // The first frames may die while the engine resolves the server by ARP: send until one arrives.
        byte[] in = sendUntilSeen(clientIo, request, serverIo, f -> udpTo(f, RIP, 6000));
        assertThat(mac(in, 0)).isEqualTo(serverMac);
        assertThat(mac(in, 6)).isEqualTo(directorServerMac);
        assertIpv4UdpValid(in, CLIENT, 4000, RIP, 6000);

        byte[] reply = Frames.udp(directorServerMac, serverMac, RIP, 6000, CLIENT, 4000, "from the server".getBytes());
        byte[] out = sendUntilSeen(serverIo, reply, clientIo, f -> udpTo(f, CLIENT, 4000));
        assertThat(mac(out, 0)).isEqualTo(clientMac);
        assertThat(mac(out, 6)).isEqualTo(directorClientMac);
        assertIpv4UdpValid(out, VIP_NAT, 5000, CLIENT, 4000);
        assertThat(ipv4(out).ttl()).as("routed: one hop").isEqualTo(63);
        assertThat(ipv4(in).ttl()).as("inbound keeps its TTL, as with IPVS").isEqualTo(64);

        // The director's kernel routes (ip_forward=1), yet the nft rule kept it from forwarding the reply as is.
        assertThat(receiveFor(clientIo, Duration.ofMillis(1500), f -> isIpv4From(f, RIP))).as("un-NATed reply").isNull();

        String rules = nft();
        assertThat(rules).as("rules of the table").contains("ip daddr 10.1.0.100 udp dport 5000 counter packets");
        assertThat(packets(rules, "ip daddr 10.1.0.100 udp dport 5000")).as("VIP frames the kernel did not get").isPositive();
        assertThat(packets(rules, "ip saddr 10.2.0.2 ip daddr != 10.2.0.1 udp sport 6000")).as("replies").isPositive();
        assertThat(engine.counters().forwardedNat()).isPositive();
        assertThat(engine.counters().natReplies()).isPositive();
        assertThat(engine.counters().arpRequests()).as("client resolved by a worker's ARP request").isPositive();
        assertThat(engine.links().get(1).neighbours().lookup(RIP)).as("server, asked for at start").isEqualTo(serverMac);
        assertThat(engine.links().get(0).neighbours().lookup(CLIENT)).isEqualTo(clientMac);

        engine.stop(Duration.ofSeconds(5));
        assertThat(nftOrNull()).as("table after stop").isNull();
        assertThat(engine.isRunning()).isFalse();
    }

    @Test
    void drChangesOnlyTheEthernetAddresses() {
        startEngine();
        long clientMac = NetnsPair.mac(lab.client, lab.clientIf);
        long serverMac = NetnsPair.mac(lab.server, lab.serverIf);
        long directorClientMac = NetnsPair.mac(lab.director, lab.directorClientIf);
        long directorServerMac = NetnsPair.mac(lab.director, lab.directorServerIf);
        byte[] request = Frames.udp(directorClientMac, clientMac, CLIENT, 4001, VIP_DR, 7000, "dr".getBytes());

        byte[] in = sendUntilSeen(clientIo, request, serverIo, f -> udpTo(f, VIP_DR, 7000));
        assertThat(hex(in)).isEqualTo(hex(Frames.withMacs(request, serverMac, directorServerMac)));
        assertThat(engine.counters().forwardedDr()).isPositive();
    }

    @Test
    void theSocketFilterKeepsTheKernelsTrafficAwayFromTheWorkers() {
        startEngine();
        long clientMac = NetnsPair.mac(lab.client, lab.clientIf);
        long directorClientMac = NetnsPair.mac(lab.director, lab.directorClientIf);
        int directorIp = Frames.ip(10, 1, 0, 1);
        byte[] owned = Frames.udp(directorClientMac, clientMac, CLIENT, 4200, VIP_DR, 7000, "mine".getBytes());
        sendUntilSeen(clientIo, owned, serverIo, f -> udpTo(f, VIP_DR, 7000)); // resolved, running
        long before = engine.counters().received();
        byte[] kernels = Frames.udp(directorClientMac, clientMac, CLIENT, 4201, directorIp, 9, "not mine".getBytes());
        for (int i = 0; i < 50; i++) {
            send(clientIo, kernels);
        }
        sendUntilSeen(clientIo, owned, serverIo, f -> udpTo(f, VIP_DR, 7000)); // after the 50, in order
        assertThat(engine.counters().received() - before).as("frames the workers were handed").isLessThan(10);
    }

    @Test
    void vipsAreAnnouncedAtStartAndWhenAServiceComesUp() {
        startEngine();
        assertThat(receiveFor(clientIo, Duration.ofSeconds(5), f -> gratuitous(f, VIP_NAT))).as("at start").isNotNull();
        assertThat(receiveFor(serverIo, Duration.ofMillis(500), f -> gratuitous(f, VIP_NAT)))
                .as("not on the servers' side").isNull();

        service(Protocol.TCP, VIP_LATE, 80, RIP, 8080, ForwardingMethod.NAT);
        PacketEngine.SyncResult r = engine.sync();
        assertThat(r.vipsUp()).containsExactly("10.1.0.102");
        assertThat(r.rulesChanged()).isTrue();
        assertThat(receiveFor(clientIo, Duration.ofSeconds(5), f -> gratuitous(f, VIP_LATE))).as("on sync").isNotNull();
        assertThat(nft()).contains("ip daddr 10.1.0.102 tcp dport 80 counter");

        lb.deleteService(new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_LATE), 80));
        assertThat(engine.sync().vipsDown()).containsExactly("10.1.0.102");
        assertThat(nft()).doesNotContain("10.1.0.102");
    }

    @Test
    void aVipArpRequestIsAnsweredWithTheDirectorsMac() {
        startEngine();
        long directorClientMac = NetnsPair.mac(lab.director, lab.directorClientIf);
        // The client's kernel resolves the VIP the ordinary way: the engine answers, the director's kernel cannot
        // (the VIP is not configured on it).
        // (a datagram from the client's kernel makes it resolve 10.1.0.100; bash's /dev/udp needs no extra tool)
        String neigh = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!neigh.contains("lladdr") && System.nanoTime() < deadline) {
            ThreeNamespaces.exec(lab.client, "bash", "-c", "echo hello > /dev/udp/10.1.0.100/9");
            neigh = NetnsPair.ip("-n", lab.client, "neigh", "show", "10.1.0.100");
        }
        assertThat(neigh).contains(Addresses.mac(directorClientMac));
        assertThat(packets(nft(), "ip daddr 10.1.0.100")).as("other traffic to the VIP, kept from the kernel").isPositive();
    }

    @Test
    void withoutCapNetRawTheEngineRefusesToStartAndSaysWhy() {
        EngineConfig config = EngineConfig.of(List.of(new EngineConfig.Interface("lo", EngineConfig.Role.BOTH)));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().unstarted(() -> {
            ThreadCaps.dropEffective(ThreadCaps.CAP_NET_RAW);
            try {
                PacketEngine.start(lb, config).stop(Duration.ofSeconds(1));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        assertThatCodeJoins(t);
        assertThatThrownBy(() -> {
            throw failure.get();
        }).isInstanceOf(PacketIoException.class)
                .hasMessageContaining("Operation not permitted (EPERM)")
                .hasMessageContaining("JVS's packet engine needs CAP_NET_RAW; run as root or grant the capability");
    }

    private static void assertThatCodeJoins(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(t.isAlive()).isFalse();
    }

    // ---- frames on the wire -------------------------------------------------------------------------------------

    /** Sends {@code frame} from {@code from} every 200 ms until {@code at} receives a frame matching (10 s at most). */
    private byte[] sendUntilSeen(AfPacketIo from, byte[] frame, AfPacketIo at, Predicate<byte[]> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            send(from, frame);
            byte[] seen = receiveFor(at, Duration.ofMillis(200), match);
            if (seen != null) {
                return seen;
            }
        }
        throw new AssertionError("no matching frame in 10 s; engine counters " + engine.counters());
    }

    private void send(AfPacketIo from, byte[] frame) {
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, tx.segment(), 0, frame.length);
        tx.length(0, frame.length).count(1);
        assertThat(from.send(tx)).isEqualTo(1);
    }

    /** The first frame {@code io} receives within {@code time} that matches, or null. */
    private byte[] receiveFor(AfPacketIo io, Duration time, Predicate<byte[]> match) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            int n = io.receive(rx, 50);
            for (int i = 0; i < n; i++) {
                byte[] f = rx.frame(i).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                if (match.test(f)) {
                    return f;
                }
            }
        }
        return null;
    }

    private static boolean isIpv4From(byte[] f, int src) {
        Ipv4Header ip = ipv4(f);
        return ip != null && ip.source() == src;
    }

    private static boolean udpTo(byte[] f, int dst, int port) {
        Ipv4Header ip = ipv4(f);
        if (ip == null || ip.protocol() != 17 || ip.destination() != dst) {
            return false;
        }
        UdpHeader udp = new UdpHeader().wrap(MemorySegment.ofArray(f), ip.payloadOffset());
        return udp.destinationPort() == port;
    }

    private static boolean udpFrom(byte[] f, int src, int port) {
        Ipv4Header ip = ipv4(f);
        return ip != null && ip.protocol() == 17 && ip.source() == src
                && new UdpHeader().wrap(MemorySegment.ofArray(f), ip.payloadOffset()).sourcePort() == port;
    }

    private static Ipv4Header ipv4(byte[] f) {
        MemorySegment s = MemorySegment.ofArray(f);
        EthernetFrame eth = new EthernetFrame().wrap(s, 0, f.length);
        if (!eth.valid() || eth.etherType() != EthernetFrame.TYPE_IPV4) {
            return null;
        }
        Ipv4Header ip = new Ipv4Header().wrap(s, eth.payloadOffset(), eth.payloadLength());
        return ip.valid() ? ip : null;
    }

    private static boolean gratuitous(byte[] f, int vip) {
        MemorySegment s = MemorySegment.ofArray(f);
        EthernetFrame eth = new EthernetFrame().wrap(s, 0, f.length);
        if (!eth.valid() || eth.etherType() != EthernetFrame.TYPE_ARP || eth.destination() != EthernetFrame.BROADCAST) {
            return false;
        }
        ArpPacket arp = new ArpPacket().wrap(s, eth.payloadOffset(), eth.payloadLength());
        return arp.valid() && arp.senderProtocol() == vip && arp.targetProtocol() == vip;
    }

    private static void assertIpv4UdpValid(byte[] f, int src, int sport, int dst, int dport) {
        Ipv4Header ip = ipv4(f);
        assertThat(ip).isNotNull();
        MemorySegment s = MemorySegment.ofArray(f);
        assertThat(ip.source()).isEqualTo(src);
        assertThat(ip.destination()).isEqualTo(dst);
        UdpHeader udp = new UdpHeader().wrap(s, ip.payloadOffset());
        assertThat(udp.sourcePort()).isEqualTo(sport);
        assertThat(udp.destinationPort()).isEqualTo(dport);
        assertThat(Checksum.checksum(s, 14, ip.headerLength())).as("IPv4 header checksum").isZero();
        long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), ip.protocol(), ip.payloadLength());
        assertThat(Checksum.fold(Checksum.sum(s, ip.payloadOffset(), ip.payloadLength(), pseudo))).as("UDP checksum").isEqualTo(0xFFFF);
    }

    private static long mac(byte[] f, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (f[at + i] & 0xFF);
        }
        return m;
    }

    private String nft() {
        String s = nftOrNull();
        assertThat(s).as("nft table " + TABLE).isNotNull();
        return s;
    }

    private String nftOrNull() {
        try {
            return ThreeNamespaces.exec(lab.director, "nft", "list", "table", "netdev", TABLE);
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("No such file or directory")) {
                return null;
            }
            throw e;
        }
    }

    /** The packet counter of the rule starting with {@code rule} in an {@code nft list} output. */
    private static long packets(String listing, String rule) {
        for (String line : listing.split("\n")) {
            String l = line.strip();
            if (l.startsWith(rule + " counter packets ")) {
                return Long.parseLong(l.substring((rule + " counter packets ").length()).split(" ")[0]);
            }
        }
        throw new AssertionError("no rule '" + rule + "' in\n" + listing);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
