package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jvs.testkit.netns.Capture;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;
import org.jvs.testkit.netns.WireChecksum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VS/TUN through the packet engine in the TUN lab (the DR lab's wiring, but no real server holds the VIP until its
 * tunnel endpoint does): every real server runs {@code bin/jvs realserver} as a user would, for IPIP, GUE on port
 * {@value #GUE_PORT} and GRE at once, accepting from the director only, because this machine's kernel has no
 * ipip, fou or ip_gre module. The shared cases of {@link PacketEndToEnd} run through IPIP (uploads included: with
 * the veths' default offloads the client's TSO super-frames are cut into segments by the engine, and the client
 * learns the tunnel's smaller MTU from the engine's "fragmentation needed"); here the wire check of the tunnel and
 * the other encapsulations.
 */
class PacketTunEndToEndTest extends PacketEndToEnd {
    static final int GUE_PORT = 6080;
    static final String DEVICE = "jvs-tun0";

    private final List<LabProcess> endpoints = new ArrayList<>();

    PacketTunEndToEndTest() {
        super(Lab.Topology.TUN, "-i");
    }

    @Override
    void prepareLab() {
        for (Host rs : lab.realServers()) {
            LabProcess p = lab.start(rs, rs.name() + "-realserver",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), "org.jvs.realserver.RealServerMain",
                    "--tun", "ipip,gue,gre", "--port", Integer.toString(GUE_PORT), "--vip", lab.vip(),
                    "--director", lab.director().address(), "--stats", "1");
            p.awaitOutput("jvs realserver: ready", Duration.ofSeconds(60));
            endpoints.add(p);
        }
    }

    @Override
    Arrival arrival() {
        return new Arrival(DEVICE, 0);
    }

    @Override
    void assertOutCounters(LabDirector.Stats s, List<Long> receivedFromVip) {
        // The real servers answer the client directly: the director never sees a reply.
        assertThat(s.service().outPkts()).as(s.text()).isZero();
        assertThat(s.service().outBytes()).as(s.text()).isZero();
    }

    @Test
    void everyPacketReachesItsServerInsideAnOuterHeaderFromTheDirectorAndTheServersAnswerTheClientThemselves() {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0));
        Capture client = lab.capture(lab.client(), "eth0", "tcp port " + Lab.HTTP_PORT, 10_000, Duration.ofSeconds(60));
        List<Capture> servers = new ArrayList<>();
        for (Host rs : lab.realServers()) {
            servers.add(lab.capture(rs, "eth0", "ip proto 4", 10_000, Duration.ofSeconds(60)));
        }
        curlVip(3);
        awaitClientConnectionsDone();
        List<Capture> all = new ArrayList<>(servers);
        all.add(client);
        Capture.stopAll(all);

        String directorMac = lab.director().mac("eth0");
        Map<String, Integer> sent = new HashMap<>();
        Set<String> serverMacs = lab.realServers().stream().map(h -> h.mac("eth0")).collect(Collectors.toSet());
        int replies = 0;
        for (byte[] f : client.frames()) {
            if (ipv4(f, 14 + 16).equals(lab.vip())) {
                sent.merge(normalised(Arrays.copyOfRange(f, 14, f.length)), 1, Integer::sum);
            } else {
                assertThat(ipv4(f, 14 + 12)).as("a reply comes from the VIP").isEqualTo(lab.vip());
                assertThat(mac(f, 6)).as("straight from a real server, not through the director").isIn(serverMacs);
                replies++;
            }
        }
        assertThat(sent.values().stream().mapToInt(Integer::intValue).sum()).as("frames the client sent").isGreaterThanOrEqualTo(15);
        assertThat(replies).as("replies the client got").isGreaterThanOrEqualTo(9);

        Map<String, Integer> arrived = new HashMap<>();
        for (int i = 0; i < servers.size(); i++) {
            Host rs = lab.realServer(i + 1);
            // tshark's own dissection of the outer header: IPIP from the director to this server
            assertThat(servers.get(i).fields("ip.src", "ip.dst", "ip.proto", "ip.checksum.status"))
                    .as("%s's tunnel packets as tshark reads them", rs.name()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r).containsExactly(lab.director().address(), rs.address(), "4", Capture.CHECKSUM_GOOD));
            for (byte[] f : servers.get(i).frames()) {
                assertThat(mac(f, 0)).as("to %s's MAC", rs.name()).isEqualTo(rs.mac("eth0"));
                assertThat(mac(f, 6)).as("from the director's MAC").isEqualTo(directorMac);
                byte[] inner = Arrays.copyOfRange(f, 14 + 20, f.length);
                assertThat(f[14 + 8]).as("outer TTL: the inner's, after the director's hop").isEqualTo(inner[8]);
                assertThat(f[14 + 6] & 0x40).as("outer DF: the inner's").isEqualTo(inner[6] & 0x40);
                assertThat(WireChecksum.of(ethernet(inner))).as("the inner packet's checksums, finished by the director")
                        .isEqualTo(WireChecksum.FINISHED);
                arrived.merge(normalised(inner), 1, Integer::sum);
            }
        }
        // Byte for byte but for TTL and checksums (the client's may be unfinished: offloads), every packet once.
        assertThat(arrived).isEqualTo(sent);
    }

    /** A connection per tunnel type the helpers speak, each with what the GUE and GRE options change. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{type: gue, port: 6080}", "{type: gue, port: 6080, checksum: csum}",
            "{type: gue, port: 6080, checksum: remcsum}", "{type: gre}", "{type: gre, checksum: csum}"})
    void gueAndGreTunnelsCarryConnectionsToEveryServer(String tunnel) throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "tcp", Lab.HTTP_PORT, "rr", 0, tunnel));
        String type = tunnel.contains("gue") ? "gue" : "gre";
        Capture wire = lab.capture(lab.realServer(1), "eth0", type.equals("gue") ? "udp port " + GUE_PORT : "ip proto 47",
                10_000, Duration.ofSeconds(60));
        Thread.sleep(500);
        assertThat(curlVip(6)).containsExactlyInAnyOrder("rs1", "rs1", "rs2", "rs2", "rs3", "rs3");
        awaitClientConnectionsDone();
        wire.stop();

        List<byte[]> frames = wire.frames();
        assertThat(frames).as("rs1's %s packets", type).isNotEmpty();
        for (byte[] f : frames) {
            assertThat(ipv4(f, 14 + 12)).isEqualTo(lab.director().address());
            if (type.equals("gue")) {
                int check = (f[14 + 20 + 6] & 0xFF) << 8 | f[14 + 20 + 7] & 0xFF;
                assertThat(check != 0).as("a UDP checksum exactly when asked for: " + tunnel).isEqualTo(!tunnel.endsWith("port: 6080}"));
                assertThat(f[14 + 28 + 1]).as("GUE carries IPIP").isEqualTo((byte) 4);
            } else {
                int flags = (f[14 + 20] & 0xFF) << 8 | f[14 + 21] & 0xFF;
                assertThat(flags).as("GRE checksum bit exactly when asked for").isEqualTo(tunnel.contains("csum") ? 0x8000 : 0);
                assertThat((f[14 + 22] & 0xFF) << 8 | f[14 + 23] & 0xFF).as("GRE protocol IPv4").isEqualTo(0x0800);
            }
        }
        if (tunnel.contains("remcsum") && lab.offloads()) {
            // The client's unfinished checksums crossed the director unfinished; rs1's endpoint finished them.
            awaitEndpointLine(0, "remote checksums finished");
        }
        awaitEndpointLine(0, type + ": delivered");
    }

    private void awaitEndpointLine(int server, String text) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!endpoints.get(server).output().contains(text)) {
            assertThat(System.nanoTime()).as("'%s' in rs%d's endpoint output:%n%s", text, server + 1,
                    endpoints.get(server).output()).isLessThan(end);
            sleep(200);
        }
    }

    /** The IPv4 packet with TTL and the header and TCP checksums zeroed, as hex: what the tunnel must not change. */
    private static String normalised(byte[] packet) {
        byte[] p = packet.clone();
        int ihl = (p[0] & 0xF) * 4;
        p[8] = 0;
        p[10] = 0;
        p[11] = 0;
        if (p[9] == 6 && p.length >= ihl + 18) {
            p[ihl + 16] = 0;
            p[ihl + 17] = 0;
        }
        return HexFormat.of().formatHex(p);
    }

    private static byte[] ethernet(byte[] packet) {
        return ByteBuffer.allocate(14 + packet.length).put(new byte[12]).putShort((short) 0x0800).put(packet).array();
    }

    private static String mac(byte[] frame, int offset) {
        return HexFormat.ofDelimiter(":").formatHex(frame, offset, offset + 6);
    }

    private static String ipv4(byte[] f, int at) {
        return (f[at] & 0xFF) + "." + (f[at + 1] & 0xFF) + "." + (f[at + 2] & 0xFF) + "." + (f[at + 3] & 0xFF);
    }
}
