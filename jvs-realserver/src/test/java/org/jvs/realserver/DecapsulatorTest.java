package org.jvs.realserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.model.TunnelType;
import org.jvs.packet.Checksum;
import org.jvs.packet.Encapsulation;
import org.jvs.realserver.Decapsulator.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the director's {@link Encapsulation} writes, the helper strips back to the very packet (and finishes a
 * remote checksum); and what it must refuse, each with its reason: other VIPs, other directors, GRE with a bad
 * checksum or routing, GUE control messages, truncated headers.
 */
class DecapsulatorTest {
    static final int VIP = 0xCB00_710A; // 203.0.113.10
    static final int DIRECTOR = 0xC000_0202; // 192.0.2.2
    static final int RIP = 0xC000_020B; // 192.0.2.11
    static final int CLIENT = 0xC000_0201;

    private final Arena arena = Arena.ofAuto();

    /** A TCP packet client:40000 -> dst:80 with 10 bytes of data and correct checksums. */
    static byte[] inner(int dst) {
        byte[] p = new byte[20 + 20 + 10];
        MemorySegment s = MemorySegment.ofArray(p);
        ValueLayout.OfInt be32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        ValueLayout.OfShort be16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        p[0] = 0x45;
        s.set(be16, 2, (short) p.length);
        p[8] = 63;
        p[9] = 6;
        s.set(be32, 12, CLIENT);
        s.set(be32, 16, dst);
        s.set(be16, 10, (short) Checksum.checksum(s, 0, 20));
        s.set(be16, 20, (short) 40000);
        s.set(be16, 22, (short) 80);
        p[32] = 0x50;
        p[33] = 0x18;
        for (int i = 40; i < p.length; i++) {
            p[i] = (byte) i;
        }
        long sum = Checksum.sum(s, 20, 30, Checksum.pseudoV4(CLIENT, dst, 6, 30));
        s.set(be16, 36, (short) Checksum.finish(sum));
        return p;
    }

    /** The inner packet encapsulated as the director does; for GUE without the outer IPv4 and UDP headers. */
    MemorySegment tunnelled(TunnelType type, TunnelChecksum csum, byte[] inner, boolean remcsum) {
        int overhead = Encapsulation.overhead(type, csum, remcsum);
        MemorySegment s = arena.allocate(overhead + inner.length);
        MemorySegment.copy(inner, 0, s, ValueLayout.JAVA_BYTE, overhead, inner.length);
        Encapsulation.write(s, 0, overhead, type, csum, DIRECTOR, RIP, 0, 63, true, 7, 40000, 6080, 20, 36, inner.length);
        return type == TunnelType.GUE ? s.asSlice(28) : s;
    }

    static MemorySegment native_(Arena a, MemorySegment s) {
        MemorySegment n = a.allocate(s.byteSize());
        n.copyFrom(s);
        return n;
    }

    @ParameterizedTest
    @EnumSource(TunnelType.class)
    void whatTheDirectorSendsComesBackAsThePacket(TunnelType type) {
        for (TunnelChecksum c : TunnelChecksum.values()) {
            if (!c.allowedWith(type)) {
                continue;
            }
            byte[] in = inner(VIP);
            MemorySegment s = tunnelled(type, c, in, false);
            Decapsulator d = new Decapsulator(type, new int[] {VIP}, new int[] {DIRECTOR});
            assertThat(d.decapsulate(s, (int) s.byteSize(), DIRECTOR)).as(type + " " + c).isEqualTo(Outcome.DELIVER);
            assertThat(HexFormat.of().formatHex(s.asSlice(d.innerOffset(), d.innerLength()).toArray(ValueLayout.JAVA_BYTE)))
                    .isEqualTo(HexFormat.of().formatHex(in));
        }
    }

    @Test
    void aRemoteChecksumOptionIsHonoured() {
        byte[] finished = inner(VIP);
        byte[] partial = finished.clone();
        // what a sender with checksum offload leaves in the field: the pseudo-header sum, folded
        int pseudo = Checksum.fold(Checksum.pseudoV4(CLIENT, VIP, 6, 30));
        partial[36] = (byte) (pseudo >>> 8);
        partial[37] = (byte) pseudo;
        MemorySegment s = tunnelled(TunnelType.GUE, TunnelChecksum.REMCSUM, partial, true);
        Decapsulator d = new Decapsulator(TunnelType.GUE, new int[] {VIP}, new int[0]);

        assertThat(d.decapsulate(s, (int) s.byteSize(), DIRECTOR)).isEqualTo(Outcome.DELIVER);
        assertThat(d.remoteChecksums()).isEqualTo(1);
        assertThat(HexFormat.of().formatHex(s.asSlice(d.innerOffset(), d.innerLength()).toArray(ValueLayout.JAVA_BYTE)))
                .isEqualTo(HexFormat.of().formatHex(finished));
    }

    @Test
    void onlyPacketsToAVipFromADirectorAreDelivered() {
        MemorySegment other = tunnelled(TunnelType.IPIP, TunnelChecksum.NOCSUM, inner(0x0A00_0001), false);
        Decapsulator d = new Decapsulator(TunnelType.IPIP, new int[] {VIP}, new int[0]);
        assertThat(d.decapsulate(other, (int) other.byteSize(), 0)).isEqualTo(Outcome.NOT_VIP);

        MemorySegment ours = tunnelled(TunnelType.IPIP, TunnelChecksum.NOCSUM, inner(VIP), false);
        Decapsulator strict = new Decapsulator(TunnelType.IPIP, new int[] {VIP}, new int[] {0x0A0A_0A0A});
        assertThat(strict.decapsulate(ours, (int) ours.byteSize(), 0)).isEqualTo(Outcome.NOT_DIRECTOR);
        assertThat(strict.count(Outcome.NOT_DIRECTOR)).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedWithItsReason() {
        Decapsulator gre = new Decapsulator(TunnelType.GRE, new int[] {VIP}, new int[0]);
        MemorySegment s = tunnelled(TunnelType.GRE, TunnelChecksum.CSUM, inner(VIP), false);
        s.set(ValueLayout.JAVA_BYTE, s.byteSize() - 1, (byte) 0x55);
        assertThat(gre.decapsulate(s, (int) s.byteSize(), 0)).as("GRE checksum").isEqualTo(Outcome.BAD_CHECKSUM);

        MemorySegment routed = tunnelled(TunnelType.GRE, TunnelChecksum.NOCSUM, inner(VIP), false);
        routed.set(ValueLayout.JAVA_BYTE, 20, (byte) 0x40);
        assertThat(gre.decapsulate(routed, (int) routed.byteSize(), 0)).as("GRE routing").isEqualTo(Outcome.UNSUPPORTED);

        Decapsulator gue = new Decapsulator(TunnelType.GUE, new int[] {VIP}, new int[0]);
        MemorySegment control = tunnelled(TunnelType.GUE, TunnelChecksum.NOCSUM, inner(VIP), false);
        control.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x20);
        assertThat(gue.decapsulate(control, (int) control.byteSize(), 0)).isEqualTo(Outcome.CONTROL);
        MemorySegment v6 = tunnelled(TunnelType.GUE, TunnelChecksum.NOCSUM, inner(VIP), false);
        v6.set(ValueLayout.JAVA_BYTE, 1, (byte) 41);
        assertThat(gue.decapsulate(v6, (int) v6.byteSize(), 0)).isEqualTo(Outcome.UNSUPPORTED);
        MemorySegment longOptions = tunnelled(TunnelType.GUE, TunnelChecksum.NOCSUM, inner(VIP), false);
        longOptions.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x1F); // 124 bytes of options in a 54-byte packet
        assertThat(gue.decapsulate(longOptions, (int) longOptions.byteSize(), 0)).isEqualTo(Outcome.MALFORMED);

        Decapsulator ipip = new Decapsulator(TunnelType.IPIP, new int[] {VIP}, new int[0]);
        MemorySegment cut = tunnelled(TunnelType.IPIP, TunnelChecksum.NOCSUM, inner(VIP), false);
        for (int n = 0; n < cut.byteSize(); n++) {
            assertThat(ipip.decapsulate(cut, n, 0)).as("cut to %d bytes", n).isEqualTo(Outcome.MALFORMED);
        }
        assertThat(ipip.decapsulate(cut, (int) cut.byteSize(), 0)).isEqualTo(Outcome.DELIVER);
    }
}
