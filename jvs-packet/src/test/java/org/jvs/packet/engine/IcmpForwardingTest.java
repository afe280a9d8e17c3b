package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.FAR_CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS1_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors through the worker, as IPVS handles them: an error toward a VIP quoting a packet of a connection goes
 * to its real server, one from a VS/NAT real server goes back to the client, VS/NAT rewriting the outer address and
 * the quoted packet; the engine's own "fragmentation needed" for a packet too large for the link it must leave by.
 * Expected frames are written by {@link Frames} with its own checksum code.
 */
class IcmpForwardingTest {
    private static final byte[] PAYLOAD = "hello, real server".getBytes();
    private static final int UNREACHABLE = 3;
    private static final int FRAG_NEEDED = 4;
    private static final int PORT_UNREACHABLE = 3;

    private EngineFixture fx = EngineFixture.oneLink(8);

    @AfterEach
    void close() {
        fx.close();
    }

    private static String hex(byte[] f) {
        return f == null ? null : HexFormat.of().formatHex(f);
    }

    @Test
    void fragmentationNeededForAVipGoesToTheNatServerWithTheQuoteRewritten() {
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]));
        fx.worker.poll();
        fx.io.discardSent();
        // A router on the way to the client could not pass the server's SYN+ACK (from the VIP, after NAT).
        byte[] reply = Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0]);
        fx.io.inject(Frames.icmpError(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, VIP_NAT, UNREACHABLE, FRAG_NEEDED, 1200, reply));
        fx.worker.poll();

        byte[] asTheServerSentIt = Frames.tcp(0, 0, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[0]);
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(
                Frames.icmpError(RS2_MAC, OWN_MAC, FAR_CLIENT, RS2, UNREACHABLE, FRAG_NEEDED, 1200, asTheServerSentIt)));
        assertThat(fx.worker.icmpForwarded()).isEqualTo(1);
        assertThat(fx.lb.stats().totals().inPackets()).as("counted in as IPVS counts it").isEqualTo(2);
    }

    @Test
    void anErrorForAVipOfADrServiceGoesToTheServerUnchanged() {
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, SYN, new byte[0]));
        fx.worker.poll();
        fx.io.discardSent();
        byte[] error = Frames.icmpError(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, VIP_DR, UNREACHABLE, FRAG_NEEDED, 1400,
                Frames.tcp(0, 0, VIP_DR, 80, CLIENT, 40000, ACK, PAYLOAD));
        fx.io.inject(error);
        fx.worker.poll();

        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(Frames.withMacs(error, RS1_MAC, OWN_MAC)));
    }

    @Test
    void aPortUnreachableFromANatServerGoesToTheClientAsFromTheVip() {
        fx.io.inject(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, PAYLOAD));
        fx.worker.poll();
        fx.io.discardSent();
        byte[] asForwarded = Frames.udp(0, 0, CLIENT, 5353, RS2, 53, PAYLOAD);
        fx.io.inject(Frames.icmpError(OWN_MAC, RS2_MAC, RS2, CLIENT, UNREACHABLE, PORT_UNREACHABLE, 0, asForwarded));
        fx.worker.poll();

        // Outer source, quoted destination, port and both quoted checksums back to what the client sent; one hop.
        byte[] asTheClientSentIt = Frames.udp(0, 0, CLIENT, 5353, VIP_NAT, 53, PAYLOAD);
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(Frames.routed(
                Frames.icmpError(GATEWAY_MAC, OWN_MAC, VIP_NAT, CLIENT, UNREACHABLE, PORT_UNREACHABLE, 0, asTheClientSentIt))));
        assertThat(fx.worker.icmpForwarded()).isEqualTo(1);
    }

    @Test
    void anErrorForAVipQuotingNoConnectionIsDropped() {
        fx.io.inject(Frames.icmpError(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, VIP_NAT, UNREACHABLE, FRAG_NEEDED, 1200,
                Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 49999, ACK, new byte[0])));
        fx.worker.poll();

        assertThat(fx.io.sentCount()).isZero();
        assertThat(fx.worker.noConn()).isEqualTo(1);
    }

    @Test
    void anEchoRequestToTheVipAndAnErrorQuotingGarbageAreNotForwarded() {
        byte[] echo = Frames.icmpError(OWN_MAC, GATEWAY_MAC, CLIENT, VIP_NAT, 8, 0, 0,
                Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 40001, ACK, new byte[0]));
        byte[] garbage = Frames.icmpError(OWN_MAC, GATEWAY_MAC, CLIENT, VIP_NAT, UNREACHABLE, 1, 0, new byte[42]);
        fx.io.inject(echo);
        fx.io.inject(garbage);
        fx.worker.poll();

        assertThat(fx.io.sentCount()).isZero();
        assertThat(fx.worker.passed()).as("the echo request").isEqualTo(1);
        assertThat(fx.worker.malformed()).as("a quote of zeros").isEqualTo(1);
    }

    @Test
    void aPacketWithDfTooLargeForTheLinkIsAnsweredWithFragmentationNeeded() {
        fx.close();
        fx = EngineFixture.oneLink(8, false, 1200);
        byte[] big = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40010, VIP_NAT, 80, SYN, new byte[1300]);
        fx.io.inject(big);
        fx.worker.poll();

        assertThat(fx.worker.tooBig()).isEqualTo(1);
        assertThat(fx.worker.forwardedNat()).isZero();
        assertThat(fx.worker.icmpSent()).isEqualTo(1);
        byte[] f = fx.io.takeSent();
        ByteBuffer b = ByteBuffer.wrap(f);
        assertThat(f).hasSize(14 + 576);
        assertThat(b.getShort(0) & 0xFFFF).as("back to the previous hop").isEqualTo((int) (GATEWAY_MAC >>> 32));
        assertThat(b.getInt(14 + 12)).as("from the VIP").isEqualTo(VIP_NAT);
        assertThat(b.getInt(14 + 16)).as("to the client").isEqualTo(CLIENT);
        assertThat(f[14 + 20] & 0xFF).isEqualTo(UNREACHABLE);
        assertThat(f[14 + 21] & 0xFF).isEqualTo(FRAG_NEEDED);
        assertThat(b.getShort(14 + 26) & 0xFFFF).as("next-hop MTU").isEqualTo(1200);
        assertThat(Frames.checksum(java.util.Arrays.copyOfRange(f, 14, 34))).as("IP header checksum").isZero();
        assertThat(Frames.checksum(java.util.Arrays.copyOfRange(f, 34, f.length))).as("ICMP checksum").isZero();
        assertThat(java.util.Arrays.copyOfRange(f, 42, f.length)).as("the quote: the packet as it came")
                .isEqualTo(java.util.Arrays.copyOfRange(big, 14, 14 + 548));
    }

    @Test
    void aTaggedPacketTooLargeIsAnsweredOnItsVlan() {
        fx.close();
        fx = EngineFixture.oneLink(8, false, 1200);
        fx.io.inject(PacketWorkerTest.tagged(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40012, VIP_NAT, 80, SYN, new byte[1300])));
        fx.worker.poll();

        byte[] f = fx.io.takeSent();
        ByteBuffer b = ByteBuffer.wrap(f);
        assertThat(b.getShort(12) & 0xFFFF).as("802.1Q").isEqualTo(0x8100);
        assertThat(b.getShort(14) & 0xFFFF).as("the same VLAN").isEqualTo(9);
        assertThat(b.getShort(16) & 0xFFFF).isEqualTo(0x0800);
        assertThat(f[18 + 20] & 0xFF).isEqualTo(UNREACHABLE);
        assertThat(Frames.checksum(java.util.Arrays.copyOfRange(f, 18, 38))).isZero();
        assertThat(Frames.checksum(java.util.Arrays.copyOfRange(f, 38, f.length))).isZero();
    }

    @Test
    void fragmentationNeededIsNotRateLimitedAsTheKernelExemptsIt() {
        fx.close();
        fx = EngineFixture.oneLink(8, false, 1200);
        for (int round = 0; round < 10; round++) { // 80 errors in one millisecond: more than a burst of 50
            for (int i = 0; i < 8; i++) {
                fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 41000 + round * 8 + i, VIP_NAT, 80, SYN, new byte[1300]));
            }
            fx.worker.poll();
            fx.io.discardSent();
        }
        assertThat(fx.worker.icmpSent()).isEqualTo(80);
    }

    @Test
    void anErrorWithABadChecksumIsNotForwarded() {
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]));
        fx.worker.poll();
        fx.io.discardSent();
        byte[] error = Frames.icmpError(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, VIP_NAT, UNREACHABLE, FRAG_NEEDED, 1200,
                Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0]));
        error[14 + 20 + 3] ^= 0x40; // the ICMP checksum, damaged: rewriting it from scratch would hide that
        fx.io.inject(error);
        fx.worker.poll();

        assertThat(fx.io.sentCount()).isZero();
        assertThat(fx.worker.malformed()).isEqualTo(1);
    }

    /**
     * Without DF a packet too large for the way out is cut into IPv4 fragments, as the kernel's ip_fragment cuts what
     * IPVS sends: NAT rewritten first, then fragments of at most the MTU whose payloads put together are the
     * rewritten packet's, no ICMP error.
     */
    @Test
    void withoutDfATooLargePacketGoesInFragmentsThatFit() {
        fx.close();
        fx = EngineFixture.oneLink(8, false, 1200);
        byte[] big = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40011, VIP_NAT, 80, SYN, new byte[1300]);
        byte[] expected = Frames.tcp(RS2_MAC, OWN_MAC, CLIENT, 40011, RS2, 8080, SYN, new byte[1300]);
        for (byte[] f : new byte[][] {big, expected}) {
            f[14 + 6] = 0; // flags: DF off
            f[14 + 10] = 0;
            f[14 + 11] = 0;
            int c = Frames.checksum(java.util.Arrays.copyOfRange(f, 14, 34));
            f[14 + 10] = (byte) (c >>> 8);
            f[14 + 11] = (byte) c;
        }
        fx.io.inject(big);
        fx.worker.poll();

        assertThat(fx.worker.tooBig()).isZero();
        assertThat(fx.worker.fragmented()).isEqualTo(1);
        assertThat(fx.worker.forwardedNat()).isEqualTo(1);
        byte[] a = fx.io.takeSent();
        byte[] b = fx.io.takeSent();
        assertThat(fx.io.takeSent()).isNull();
        assertThat(a.length - 14).isLessThanOrEqualTo(1200);
        assertThat((a[20] & 0xFF) << 8 | a[21] & 0xFF).as("MF, offset 0").isEqualTo(0x2000);
        assertThat((b[20] & 0xFF) << 8 | b[21] & 0xFF).as("last, offset").isEqualTo((a.length - 34) / 8);
        for (byte[] f : new byte[][] {a, b}) {
            assertThat(Frames.checksum(java.util.Arrays.copyOfRange(f, 14, 34))).as("header checksum").isZero();
        }
        byte[] payload = new byte[a.length - 34 + b.length - 34];
        System.arraycopy(a, 34, payload, 0, a.length - 34);
        System.arraycopy(b, 34, payload, a.length - 34, b.length - 34);
        assertThat(java.util.HexFormat.of().formatHex(payload))
                .isEqualTo(java.util.HexFormat.of().formatHex(java.util.Arrays.copyOfRange(expected, 34, expected.length)));
    }
}
