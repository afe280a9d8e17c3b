package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Offload}: the {@code virtio_net_hdr} bytes as linux/virtio_net.h lays them out (little-endian, 10 bytes),
 * finishing a checksum in software as the kernel would, and NAT on an unfinished checksum ({@link Rewrite} with
 * {@code partial}) against a full recomputation over random packets.
 */
class OffloadTest {
    @Test
    void aTsoHeaderReadsAndWritesAsTheKernelLaysItOut() {
        // flags NEEDS_CSUM, gso TCPV4, hdr_len 66, gso_size 1448 (0x05a8), csum_start 34, csum_offset 16
        byte[] golden = HexFormat.of().parseHex("0101" + "4200" + "a805" + "2200" + "1000");
        long m = Offload.read(MemorySegment.ofArray(golden), 0);
        assertThat(Offload.needsChecksum(m)).isTrue();
        assertThat(Offload.gsoType(m)).isEqualTo(Offload.GSO_TCPV4);
        assertThat(Offload.gsoSize(m)).isEqualTo(1448);
        assertThat(Offload.csumStart(m)).isEqualTo(34);
        assertThat(Offload.csumOffset(m)).isEqualTo(16);

        byte[] out = new byte[10];
        Offload.write(m, MemorySegment.ofArray(out), 0);
        // hdr_len goes out as 0: the kernel takes what the checksum position needs
        assertThat(HexFormat.of().formatHex(out)).isEqualTo("0101" + "0000" + "a805" + "2200" + "1000");
    }

    @Test
    void dataValidIsReadButNeverSentAndAnOrdinaryFrameIsNone() {
        byte[] valid = HexFormat.of().parseHex("02000000000000000000");
        long m = Offload.read(MemorySegment.ofArray(valid), 0);
        assertThat(Offload.flags(m)).isEqualTo(Offload.F_DATA_VALID);
        assertThat(Offload.needsChecksum(m) || Offload.segmented(m)).isFalse();
        byte[] out = new byte[10];
        Offload.write(m, MemorySegment.ofArray(out), 0);
        assertThat(out).containsOnly(0);
        assertThat(Offload.read(MemorySegment.ofArray(new byte[10]), 0)).isEqualTo(Offload.NONE);
        // Positions without NEEDS_CSUM mean nothing and are not kept.
        byte[] stray = HexFormat.of().parseHex("00000000000022001000");
        assertThat(Offload.read(MemorySegment.ofArray(stray), 0)).isEqualTo(Offload.NONE);
    }

    @Test
    void shiftingMovesTheChecksumStartOnly() {
        long m = Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1448, 34, 16);
        long s = Offload.shifted(m, 4);
        assertThat(Offload.csumStart(s)).isEqualTo(38);
        assertThat(Offload.csumOffset(s)).isEqualTo(16);
        assertThat(Offload.gsoSize(s)).isEqualTo(1448);
        assertThat(Offload.shifted(Offload.NONE, 4)).isEqualTo(Offload.NONE);
    }

    @Test
    void unfinishedChecksumsFinishToWhatAFullComputationGives() {
        SplittableRandom r = new SplittableRandom(7);
        MemorySegment s = MemorySegment.ofArray(new byte[2048]);
        for (int i = 0; i < 2000; i++) {
            int proto = r.nextBoolean() ? IpProtocol.TCP : IpProtocol.UDP;
            byte[] payload = new byte[r.nextInt(1400)];
            r.nextBytes(payload);
            int src = r.nextInt();
            int dst = r.nextInt();
            int len = Build.ipv4(s, proto, src, r.nextInt(1 << 16), dst, r.nextInt(1 << 16), payload, 0, true);
            byte[] finished = s.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
            int at = proto == IpProtocol.TCP ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET;
            int l4len = len - 34;
            Net.u16(s, 34 + at, Checksum.fold(Checksum.pseudoV4(src, dst, proto, l4len)));

            assertThat(Offload.complete(s, 0, len, Offload.of(Offload.F_NEEDS_CSUM, 0, 0, 34, at))).isTrue();
            assertThat(s.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE)).as("packet %d", i).isEqualTo(finished);
        }
    }

    @Test
    void positionsOutsideTheFrameAreRefused() {
        MemorySegment s = MemorySegment.ofArray(new byte[60]);
        assertThat(Offload.complete(s, 0, 60, Offload.of(Offload.F_NEEDS_CSUM, 0, 0, 34, 26))).isFalse();
        assertThat(Offload.complete(s, 0, 60, Offload.of(Offload.F_NEEDS_CSUM, 0, 0, 60, 0))).isFalse();
        assertThat(Offload.complete(s, 0, 60, Offload.NONE)).as("nothing to do").isTrue();
    }

    /**
     * NAT of a packet whose checksum is unfinished, then finished, equals NAT of the finished packet: the rewrite
     * moved the pseudo-header sum for the new address and left the ports to the final sum.
     */
    @Test
    void natOnAnUnfinishedChecksumEqualsNatOnTheFinishedOne() {
        SplittableRandom r = new SplittableRandom(11);
        MemorySegment a = MemorySegment.ofArray(new byte[2048]);
        MemorySegment b = MemorySegment.ofArray(new byte[2048]);
        Ipv4Header ipA = new Ipv4Header();
        Ipv4Header ipB = new Ipv4Header();
        for (int i = 0; i < 5000; i++) {
            int proto = r.nextBoolean() ? IpProtocol.TCP : IpProtocol.UDP;
            byte[] payload = new byte[r.nextInt(600)];
            r.nextBytes(payload);
            int src = r.nextInt();
            int dst = r.nextInt();
            int len = Build.ipv4(a, proto, src, r.nextInt(1 << 16), dst, r.nextInt(1 << 16), payload, 0, true);
            MemorySegment.copy(a, 0, b, 0, len);
            int at = proto == IpProtocol.TCP ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET;
            Net.u16(b, 34 + at, Checksum.fold(Checksum.pseudoV4(src, dst, proto, len - 34)));
            int address = r.nextInt();
            int port = r.nextInt(1 << 16);
            boolean destination = r.nextBoolean();

            ipA.wrap(a, 14, len - 14);
            ipB.wrap(b, 14, len - 14);
            if (destination) {
                assertThat(Rewrite.dnatV4(ipA, address, port)).isTrue();
                assertThat(Rewrite.dnatV4(ipB, address, port, true)).isTrue();
            } else {
                assertThat(Rewrite.snatV4(ipA, address, port)).isTrue();
                assertThat(Rewrite.snatV4(ipB, address, port, true)).isTrue();
            }
            assertThat(Offload.complete(b, 0, len, Offload.of(Offload.F_NEEDS_CSUM, 0, 0, 34, at))).isTrue();
            assertThat(b.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE)).as("packet %d", i)
                    .isEqualTo(a.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
