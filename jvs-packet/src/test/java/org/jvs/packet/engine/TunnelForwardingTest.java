package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.SERVER_SIDE_IP;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;
import static org.jvs.packet.engine.Frames.ip;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.model.TunnelType;
import org.jvs.packet.Checksum;
import org.jvs.packet.Offload;
import org.jvs.packet.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * VS/TUN through the worker, frame by frame: the expected outer headers are written here by hand from RFC 2003,
 * RFC 2784 and the GUE draft (checksums from {@link Frames}' own sum), the inner packet is the client's with its
 * TTL one less, as IPVS sends it. The real server sits beyond the gateway: a tunnel needs no shared segment.
 */
class TunnelForwardingTest {
    /** Reached through the gateway only. */
    static final int RS_FAR = ip(172, 16, 0, 5);
    static final int VIP_TUN = ip(10, 0, 0, 110);
    static final byte[] PAYLOAD = "GET / HTTP/1.1\r\n\r\n".getBytes();

    static EngineFixture fixture(ForwardingMethod.Tunnel t, boolean offloads, int mtu) {
        EngineFixture fx = EngineFixture.oneLink(64, offloads, mtu);
        ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_TUN), 80);
        fx.lb.addService(ServiceSpec.of(key, "rr").withEngine(Engine.PACKET));
        fx.lb.addDest(key, DestSpec.of(IpAddr.v4(RS_FAR), 80, t));
        fx.owned.update(fx.lb);
        return fx;
    }

    static byte[] clientSyn() {
        return Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, SYN, new byte[0]);
    }

    /** The IPv4 packet of {@code frame} with TTL 63, as the director passes it on. */
    static byte[] innerOf(byte[] frame) {
        byte[] routed = Frames.withTtl(frame, 63);
        return Arrays.copyOfRange(routed, 14, routed.length);
    }

    /** Ethernet to the gateway + an outer IPv4 header (id {@code id}, DF, TTL 63) + {@code l4}. */
    static byte[] outer(int proto, int id, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4.length);
        b.put(mac(GATEWAY_MAC)).put(mac(OWN_MAC)).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) id)
                .putShort((short) 0x4000).put((byte) 63).put((byte) proto).putShort((short) 0)
                .putInt(SERVER_SIDE_IP).putInt(RS_FAR);
        byte[] f = b.put(l4).array();
        int c = Frames.checksum(Arrays.copyOfRange(f, 14, 34));
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
        return f;
    }

    static byte[] mac(long m) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (m >>> (40 - 8 * i));
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    /** The UDP checksum of the outer packet in {@code f} (frame offsets), computed independently. */
    static int udpChecksumOf(byte[] f) {
        byte[] udp = Arrays.copyOfRange(f, 34, f.length);
        udp[6] = 0;
        udp[7] = 0;
        ByteBuffer p = ByteBuffer.allocate(12 + udp.length);
        p.putInt(SERVER_SIDE_IP).putInt(RS_FAR).put((byte) 0).put((byte) 17).putShort((short) udp.length).put(udp);
        int c = Frames.checksum(p.array());
        return c == 0 ? 0xFFFF : c;
    }

    @Test
    void ipipPutsTheClientsPacketInsideAnOuterHeaderToTheRealServerThroughTheGateway() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), false, 1500)) {
            byte[] in = clientSyn();
            fx.io.inject(in);
            fx.worker.poll();

            assertThat(fx.worker.forwardedTun()).isEqualTo(1);
            assertThat(hex(fx.io.takeSent())).isEqualTo(hex(outer(4, 0, innerOf(in))));
        }
    }

    @Test
    void gueWithoutChecksumIsUdpToTheTunnelPortWithChecksumZero() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GUE, 6080), false, 1500)) {
            byte[] in = clientSyn();
            fx.io.inject(in);
            fx.worker.poll();

            byte[] sent = fx.io.takeSent();
            int sport = u16(sent, 34);
            assertThat(sport).as("source port from the inner flow's hash").isBetween(32768, 60999);
            byte[] inner = innerOf(in);
            byte[] udp = ByteBuffer.allocate(8 + 4).putShort((short) sport).putShort((short) 6080)
                    .putShort((short) (12 + inner.length)).putShort((short) 0)
                    .put(new byte[] {0, 4, 0, 0}).array(); // GUE v0, hlen 0, proto IPIP, no flags
            assertThat(hex(sent)).isEqualTo(hex(outer(17, 0, concat(udp, inner))));
        }
    }

    @Test
    void gueWithChecksumCarriesAValidUdpChecksum() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GUE, 6080, TunnelChecksum.CSUM), false, 1500)) {
            fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, SYN, new byte[0]));
            fx.worker.poll();
            byte[] sent = fx.io.takeSent();
            assertThat(u16(sent, 40)).isNotZero().isEqualTo(udpChecksumOf(sent));
        }
    }

    @Test
    void greWithChecksumCarriesFlagsProtocolAndAValidChecksum() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GRE, 0, TunnelChecksum.CSUM), false, 1500)) {
            byte[] in = clientSyn();
            fx.io.inject(in);
            fx.worker.poll();

            byte[] inner = innerOf(in);
            byte[] gre = concat(new byte[] {(byte) 0x80, 0, 0x08, 0, 0, 0, 0, 0}, inner);
            int c = Frames.checksum(gre);
            gre[4] = (byte) (c >>> 8);
            gre[5] = (byte) c;
            assertThat(hex(fx.io.takeSent())).isEqualTo(hex(outer(47, 0, gre)));
        }
    }

    @Test
    void greWithoutChecksumIsFourBytes() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GRE, 0), false, 1500)) {
            byte[] in = clientSyn();
            fx.io.inject(in);
            fx.worker.poll();
            assertThat(hex(fx.io.takeSent())).isEqualTo(hex(outer(47, 0, concat(new byte[] {0, 0, 0x08, 0}, innerOf(in)))));
        }
    }

    @Test
    void anUnfinishedChecksumIsFinishedBeforeItGoesIntoTheTunnel() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), true, 1500)) {
            byte[] in = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, ACK, PAYLOAD);
            // an ACK opens nothing: make the connection first
            fx.io.inject(clientSyn());
            fx.worker.poll();
            fx.io.discardSent();
            fx.io.inject(OffloadForwardingTest.unfinished(in, TcpHeader.CHECKSUM_OFFSET),
                    OffloadForwardingTest.needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(fx.io.peekSentOffload()).as("nothing left for the kernel to finish").isEqualTo(Offload.NONE);
            assertThat(hex(fx.io.takeSent())).isEqualTo(hex(outer(4, 1, innerOf(in))));
        }
    }

    @Test
    void remoteChecksumOffloadLeavesTheChecksumToTheRealServerAndSaysWhereItIs() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GUE, 6080, TunnelChecksum.REMCSUM), true, 1500)) {
            fx.io.inject(clientSyn());
            fx.worker.poll();
            fx.io.discardSent();
            byte[] in = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, ACK, PAYLOAD);
            byte[] unfinished = OffloadForwardingTest.unfinished(in, TcpHeader.CHECKSUM_OFFSET);
            fx.io.inject(unfinished, OffloadForwardingTest.needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            byte[] sent = fx.io.takeSent();
            int gue = 34 + 8;
            assertThat(HexFormat.of().formatHex(sent, gue, gue + 12))
                    .as("hlen 2, IPIP, flag PRIV; REMCSUM; start 20, field 36 from the inner header")
                    .isEqualTo("02040001" + "80000000" + "0014" + "0024");
            assertThat(u16(sent, 40)).as("the UDP checksum is there").isEqualTo(udpChecksumOf(sent));
            byte[] inner = Arrays.copyOfRange(sent, gue + 12, sent.length);
            assertThat(hex(inner)).as("inner checksum still the pseudo-header sum")
                    .isEqualTo(hex(innerOf(unfinished)).substring(0, 40) + hex(inner).substring(40));
            // what the real server does with the option: finish from start to the end, into the field
            MemorySegment s = MemorySegment.ofArray(inner);
            assertThat(Offload.complete(s, 0, inner.length, Offload.of(Offload.F_NEEDS_CSUM, 0, 0, 20, 16))).isTrue();
            assertThat(hex(inner)).isEqualTo(hex(innerOf(in)));
        }
    }

    @Test
    void aSuperFrameIsCutIntoSegmentsEachInItsOwnOuterPacket() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), true, 1500)) {
            fx.io.inject(clientSyn());
            fx.worker.poll();
            fx.io.discardSent();
            byte[] payload = new byte[2500];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 7);
            }
            byte[] big = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, ACK | 0x08, payload);
            fx.io.inject(OffloadForwardingTest.unfinished(big, TcpHeader.CHECKSUM_OFFSET),
                    Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1000, 34, TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(fx.io.sentCount()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                int chunk = Math.min(1000, 2500 - i * 1000);
                byte[] seg = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, i == 2 ? ACK | 0x08 : ACK,
                        Arrays.copyOfRange(payload, i * 1000, i * 1000 + chunk));
                // the expected segment: sequence advanced, IP id advanced, then checksums recomputed
                ByteBuffer.wrap(seg).putInt(14 + 20 + 4, 0x01020304 + i * 1000).putShort(14 + 4, (short) (0x1234 + i));
                seg = refreshChecksums(seg);
                assertThat(hex(fx.io.takeSent())).as("segment " + i).isEqualTo(hex(outer(4, 1 + i, innerOf(seg))));
            }
        }
    }

    /** {@code f}'s IPv4 and TCP checksums written anew by {@link Frames}' own sum. */
    static byte[] refreshChecksums(byte[] f) {
        byte[] b = f.clone();
        b[24] = 0;
        b[25] = 0;
        int c = Frames.checksum(Arrays.copyOfRange(b, 14, 34));
        b[24] = (byte) (c >>> 8);
        b[25] = (byte) c;
        b[50] = 0;
        b[51] = 0;
        byte[] tcp = Arrays.copyOfRange(b, 34, b.length);
        ByteBuffer p = ByteBuffer.allocate(12 + tcp.length);
        p.put(b, 26, 8).put((byte) 0).put((byte) 6).putShort((short) tcp.length).put(tcp);
        int t = Frames.checksum(p.array());
        b[50] = (byte) (t >>> 8);
        b[51] = (byte) t;
        return b;
    }

    @Test
    void tooBigForTheTunnelAnswersFragmentationNeededWithTheMtuLessTheHeaders() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.GUE, 6080), false, 1500)) {
            fx.io.inject(clientSyn());
            fx.worker.poll();
            fx.io.discardSent();
            byte[] in = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_TUN, 80, ACK, new byte[1500 - 40 - 20]);
            fx.io.inject(in);
            fx.worker.poll();

            assertThat(fx.worker.tooBig()).isEqualTo(1);
            byte[] icmp = fx.io.takeSent();
            assertThat(icmp).as("one frame: the ICMP error, nothing into the tunnel").isNotNull();
            assertThat(fx.io.takeSent()).isNull();
            assertThat(icmp[14 + 9]).as("ICMP").isEqualTo((byte) 1);
            assertThat(u16(icmp, 34)).as("type 3 code 4").isEqualTo(0x0304);
            assertThat(u16(icmp, 40)).as("1500 less IPv4, UDP and GUE").isEqualTo(1500 - 32);
            assertThat(ByteBuffer.wrap(icmp).getInt(26)).as("from the VIP").isEqualTo(VIP_TUN);
            assertThat(ByteBuffer.wrap(icmp).getInt(30)).as("to the client").isEqualTo(CLIENT);
        }
    }

    @Test
    void ttlOneIsAnsweredWithTimeExceededAndNotTunnelled() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), false, 1500)) {
            fx.io.inject(Frames.withTtl(clientSyn(), 1));
            fx.worker.poll();

            assertThat(fx.worker.ttlExpired()).isEqualTo(1);
            assertThat(fx.worker.forwardedTun()).isZero();
            byte[] icmp = fx.io.takeSent();
            assertThat(u16(icmp, 34)).as("time exceeded in transit").isEqualTo(0x0b00);
            assertThat(fx.io.takeSent()).isNull();
        }
    }

    @Test
    void anIcmpErrorAboutATunnelConnectionGoesThroughItsTunnel() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), false, 1500)) {
            fx.io.inject(clientSyn());
            fx.worker.poll();
            fx.io.discardSent();
            // the real server's reply VIP:80 -> client could not be delivered; a router says so to the VIP
            byte[] reply = Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_TUN, 80, CLIENT, 40001, SYN | ACK, new byte[0]);
            byte[] error = Frames.icmpError(OWN_MAC, GATEWAY_MAC, ip(198, 51, 100, 1), VIP_TUN, 3, 1, 0, reply);
            fx.io.inject(error);
            fx.worker.poll();

            assertThat(fx.worker.icmpForwarded()).isEqualTo(1);
            assertThat(hex(fx.io.takeSent())).isEqualTo(hex(outer(4, 1, innerOf(error))));
        }
    }

    /**
     * A datagram of 2 000 bytes in two fragments, without DF (fragments never have it): the first, 1 500 bytes, is
     * too big for the tunnel, so its outer packet goes in two outer fragments; the second follows the first's note
     * into the same tunnel. Put together as the real server's kernel does, the outer fragments give the outer packet
     * whole, the client's first fragment inside.
     */
    @Test
    void fragmentsWithoutDfGoThroughTheTunnelAndTooBigOnesInOuterFragments() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), false, 1500)) {
            ServiceKey key = new ServiceKey.Virtual(Protocol.UDP, IpAddr.v4(VIP_TUN), 53);
            fx.lb.addService(ServiceSpec.of(key, "rr").withEngine(Engine.PACKET));
            fx.lb.addDest(key, DestSpec.of(IpAddr.v4(RS_FAR), 53, new ForwardingMethod.Tunnel(TunnelType.IPIP, 0)));
            fx.owned.update(fx.lb);
            byte[] payload = new byte[2000 - 28];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 13);
            }
            byte[] datagram = Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_TUN, 53, payload);
            byte[][] fragments = FragmentForwardingTest.fragments(datagram, 1480);
            fx.io.inject(fragments[0]);
            fx.io.inject(fragments[1]);
            fx.worker.poll();

            assertThat(fx.worker.fragmented()).isEqualTo(1);
            assertThat(fx.worker.fragmentsForwarded()).isEqualTo(1);
            byte[] a = fx.io.takeSent();
            byte[] b = fx.io.takeSent();
            byte[] c = fx.io.takeSent();
            assertThat(fx.io.takeSent()).isNull();
            assertThat(a.length - 14).as("outer fragment within the MTU").isLessThanOrEqualTo(1500);
            assertThat(u16(a, 20)).as("MF, offset 0").isEqualTo(0x2000);
            assertThat(u16(b, 20)).as("last, offset in 8-byte units").isEqualTo((a.length - 34) / 8);
            assertThat(u16(a, 18)).as("one datagram: one id").isEqualTo(u16(b, 18));
            for (byte[] f : new byte[][] {a, b}) {
                assertThat(Frames.checksum(Arrays.copyOfRange(f, 14, 34))).isZero();
            }
            byte[] whole = concat(Arrays.copyOfRange(a, 34, a.length), Arrays.copyOfRange(b, 34, b.length));
            assertThat(hex(whole)).as("the first fragment, whole, inside").isEqualTo(hex(innerOf(fragments[0])));
            assertThat(u16(c, 20)).as("the second fragment's outer packet: whole, no DF (the inner has none)").isZero();
            assertThat(c[14 + 9]).as("IPIP").isEqualTo((byte) 4);
            assertThat(hex(Arrays.copyOfRange(c, 34, c.length))).isEqualTo(hex(innerOf(fragments[1])));
        }
    }

    @Test
    void theChecksumsOfAnEncapsulatedPacketVerify() {
        try (EngineFixture fx = fixture(new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), false, 1500)) {
            fx.io.inject(clientSyn());
            fx.worker.poll();
            byte[] sent = fx.io.takeSent();
            MemorySegment s = MemorySegment.ofArray(sent);
            assertThat(Checksum.checksum(s, 14, 20)).as("outer header").isZero();
            assertThat(Checksum.checksum(s, 34, 20)).as("inner header").isZero();
        }
    }
}
