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
import static org.jvs.packet.engine.Frames.SYN;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.jvs.packet.Checksum;
import org.jvs.packet.InMemoryPacketIo;
import org.jvs.packet.Offload;
import org.jvs.packet.TcpHeader;
import org.jvs.packet.UdpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames as a veth with default offloads hands them over (the transport checksum unfinished, TSO super-frames),
 * through the worker: passed on with their metadata to an output that carries it, so the kernel finishes them;
 * finished here for one that does not, and a super-frame not sent there at all. Every expected frame is the
 * one {@link Frames} writes with full checksums, compared after the unfinished checksum is finished as the kernel
 * would.
 */
class OffloadForwardingTest {
    private static final byte[] PAYLOAD = "hello, real server".getBytes();
    private static final int L4 = 14 + 20;

    /** The frame as a sender with checksum offload leaves it: the field holds the pseudo-header sum only. */
    static byte[] unfinished(byte[] finished, int csumOffset) {
        byte[] f = finished.clone();
        var be = java.nio.ByteBuffer.wrap(f);
        int proto = f[14 + 9];
        long pseudo = Checksum.pseudoV4(be.getInt(26), be.getInt(30), proto, f.length - L4);
        be.putShort(L4 + csumOffset, (short) Checksum.fold(pseudo));
        return f;
    }

    static long needsChecksum(int csumOffset) {
        return Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, L4, csumOffset);
    }

    /** What went out, finished as the kernel finishes it when the metadata says so. */
    static String sentFinished(InMemoryPacketIo io) {
        long meta = io.peekSentOffload();
        byte[] f = io.takeSent();
        assertThat(f).as("a frame was sent").isNotNull();
        assertThat(Offload.complete(MemorySegment.ofArray(f), 0, f.length, meta)).isTrue();
        return HexFormat.of().formatHex(f);
    }

    static String hex(byte[] f) {
        return HexFormat.of().formatHex(f);
    }

    @ParameterizedTest(name = "offloads carried by the output: {0}")
    @ValueSource(booleans = {true, false})
    void aNatSynWithAnUnfinishedChecksumReachesTheRealServerRewrittenAndFinishable(boolean carried) {
        try (EngineFixture fx = EngineFixture.oneLink(8, carried)) {
            byte[] in = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]);
            byte[] expected = Frames.tcp(RS2_MAC, OWN_MAC, CLIENT, 40001, RS2, 8080, SYN, new byte[0]);

            fx.io.inject(unfinished(in, TcpHeader.CHECKSUM_OFFSET), needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(fx.worker.forwardedNat()).isEqualTo(1);
            long meta = fx.io.peekSentOffload();
            if (carried) {
                assertThat(meta).as("passed on, for the kernel to finish").isEqualTo(needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            } else {
                assertThat(meta).as("finished here").isEqualTo(Offload.NONE);
            }
            assertThat(sentFinished(fx.io)).isEqualTo(hex(expected));
        }
    }

    @ParameterizedTest(name = "offloads carried by the output: {0}")
    @ValueSource(booleans = {true, false})
    void aNatReplyAndAUdpDatagramWithUnfinishedChecksumsAreRewrittenRight(boolean carried) {
        try (EngineFixture fx = EngineFixture.oneLink(8, carried)) {
            fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40002, VIP_NAT, 80, SYN, new byte[0]));
            fx.worker.poll();
            fx.io.discardSent();

            byte[] reply = Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40002, SYN | ACK, PAYLOAD);
            fx.io.inject(unfinished(reply, TcpHeader.CHECKSUM_OFFSET), needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            byte[] udp = Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, PAYLOAD);
            fx.io.inject(unfinished(udp, UdpHeader.CHECKSUM_OFFSET), needsChecksum(UdpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(sentFinished(fx.io)).isEqualTo(hex(
                    Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 80, CLIENT, 40002, SYN | ACK, PAYLOAD))));
            assertThat(sentFinished(fx.io)).isEqualTo(hex(Frames.udp(RS2_MAC, OWN_MAC, CLIENT, 5353, RS2, 53, PAYLOAD)));
        }
    }

    @Test
    void aDrFrameKeepsItsUnfinishedChecksumAndItsMetadata() {
        try (EngineFixture fx = EngineFixture.oneLink(8, true)) {
            byte[] in = unfinished(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40003, VIP_DR, 80, SYN, new byte[0]),
                    TcpHeader.CHECKSUM_OFFSET);
            fx.io.inject(in, needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(fx.io.peekSentOffload()).isEqualTo(needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            assertThat(hex(fx.io.takeSent())).as("DR touches the MACs only").isEqualTo(hex(Frames.withMacs(in, RS1_MAC, OWN_MAC)));
        }
    }

    @ParameterizedTest(name = "offloads carried by the output: {0}")
    @ValueSource(booleans = {true, false})
    void aSuperFrameGoesOnWholeOrNotAtAll(boolean carried) {
        try (EngineFixture fx = EngineFixture.oneLink(8, carried)) {
            fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40004, VIP_DR, 80, SYN, new byte[0]));
            fx.worker.poll();
            fx.io.discardSent();
            byte[] big = unfinished(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40004, VIP_DR, 80, ACK, new byte[16 * 1024]),
                    TcpHeader.CHECKSUM_OFFSET);
            long meta = Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1448, L4, TcpHeader.CHECKSUM_OFFSET);

            fx.io.inject(big, meta);
            fx.worker.poll();

            if (carried) {
                assertThat(fx.io.peekSentOffload()).isEqualTo(meta);
                assertThat(fx.io.takeSent()).hasSize(big.length);
                assertThat(fx.worker.superFrames()).isZero();
            } else {
                assertThat(fx.io.sentCount()).as("never sent larger than the next hop takes").isZero();
                assertThat(fx.worker.superFrames()).isEqualTo(1);
                assertThat(fx.worker.dropped()).isEqualTo(1);
            }
        }
    }

    @Test
    void uncarriedMetadataWhoseChecksumLiesOutsideTheFrameIsDroppedAsMalformed() {
        try (EngineFixture fx = EngineFixture.oneLink(8, false)) {
            byte[] in = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40005, VIP_DR, 80, SYN, new byte[0]);
            fx.io.inject(in, Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, in.length - 1, 16));
            fx.worker.poll();

            assertThat(fx.io.sentCount()).isZero();
            assertThat(fx.worker.malformed()).isEqualTo(1);
        }
    }
}
