package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS1_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * IPv4 fragments through the worker: the first carries the ports and is scheduled; the later ones follow it to
 * the same server, NAT rewriting their address only, and every fragment comes out as the fragment of the
 * rewritten datagram would (expected frames: the whole datagram written by {@link Frames}, NAT-ed, then cut at
 * the same place). A later fragment whose first was not seen is dropped and counted.
 */
class FragmentForwardingTest {
    private final EngineFixture fx = EngineFixture.oneLink(8);

    @AfterEach
    void close() {
        fx.close();
    }

    /** {@code frame}'s datagram cut after {@code firstPayload} bytes of its payload (a multiple of 8): two fragments. */
    static byte[][] fragments(byte[] frame, int firstPayload) {
        int ihl = (frame[14] & 0xF) * 4;
        int payload = frame.length - 14 - ihl;
        byte[] first = Arrays.copyOf(frame, 14 + ihl + firstPayload);
        byte[] second = new byte[14 + ihl + payload - firstPayload];
        System.arraycopy(frame, 0, second, 0, 14 + ihl);
        System.arraycopy(frame, 14 + ihl + firstPayload, second, 14 + ihl, payload - firstPayload);
        header(first, ihl + firstPayload, 0x2000);                       // MF, offset 0
        header(second, ihl + payload - firstPayload, firstPayload / 8);  // last: offset only
        return new byte[][] {first, second};
    }

    private static void header(byte[] f, int total, int flagsOffset) {
        f[16] = (byte) (total >>> 8);
        f[17] = (byte) total;
        f[20] = (byte) (flagsOffset >>> 8);
        f[21] = (byte) flagsOffset;
        f[24] = 0;
        f[25] = 0;
        int c = Frames.checksum(Arrays.copyOfRange(f, 14, 34));
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    private static String hex(byte[] f) {
        return f == null ? null : HexFormat.of().formatHex(f);
    }

    private static byte[] payload(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 13 + 5);
        }
        return p;
    }

    @Test
    void aFragmentedUdpDatagramToANatServiceArrivesRewrittenFragmentByFragment() {
        byte[][] in = fragments(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, payload(2000)), 1480);
        byte[][] expected = fragments(Frames.udp(RS2_MAC, OWN_MAC, CLIENT, 5353, RS2, 53, payload(2000)), 1480);
        fx.io.inject(in[0]);
        fx.io.inject(in[1]);
        fx.worker.poll();

        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(expected[0]));
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(expected[1]));
        assertThat(fx.worker.forwardedNat()).isEqualTo(1);
        assertThat(fx.worker.fragmentsForwarded()).isEqualTo(1);
    }

    @Test
    void aFragmentedReplyOfANatServerGoesToTheClientFromTheVip() {
        fx.io.inject(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, payload(10)));
        fx.worker.poll();
        fx.io.discardSent();
        byte[][] in = fragments(Frames.udp(OWN_MAC, RS2_MAC, RS2, 53, CLIENT, 5353, payload(2400)), 1480);
        byte[][] expected = fragments(Frames.routed(Frames.udp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 53, CLIENT, 5353, payload(2400))), 1480);
        fx.io.inject(in[0]);
        fx.io.inject(in[1]);
        fx.worker.poll();

        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(expected[0]));
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(expected[1]));
    }

    @Test
    void drFragmentsFollowTheirFirstToItsServerUnchanged() {
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, Frames.SYN, new byte[0]));
        fx.worker.poll();
        fx.io.discardSent();
        byte[][] in = fragments(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, payload(1800)), 1200);
        fx.io.inject(in[0]);
        fx.io.inject(in[1]);
        fx.worker.poll();

        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(Frames.withMacs(in[0], RS1_MAC, OWN_MAC)));
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(Frames.withMacs(in[1], RS1_MAC, OWN_MAC)));
    }

    @Test
    void aLaterFragmentBeforeItsFirstIsDroppedAndCounted() {
        byte[][] in = fragments(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5354, VIP_NAT, 53, payload(2000)), 1480);
        fx.io.inject(in[1]);
        fx.worker.poll();

        assertThat(fx.io.sentCount()).isZero();
        assertThat(fx.worker.fragments()).isEqualTo(1);
        assertThat(fx.worker.dropped()).isEqualTo(1);
    }

    @Test
    void theCacheIsBoundedAndForgetsOldNotes() {
        FragmentCache c = new FragmentCache(64);
        for (int id = 0; id < 10_000; id++) {
            c.put(1, 2, id, 17, FragmentCache.NAT_IN, id, 1000);
        }
        assertThat(c.find(1, 2, 9_999, 17, 1000)).as("a recent note").isTrue();
        assertThat(c.foundTarget).isEqualTo(9_999);
        int kept = 0;
        for (int id = 0; id < 10_000; id++) {
            kept += c.find(1, 2, id, 17, 1000) ? 1 : 0;
        }
        assertThat(kept).as("never more notes than slots").isLessThanOrEqualTo(64);
        assertThat(c.find(1, 2, 9_999, 17, 1000 + FragmentCache.LIFETIME_MILLIS)).as("expired").isFalse();
        assertThat(c.find(1, 2, 9_999, 6, 1000)).as("another protocol").isFalse();
    }
}
