package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Incremental checksum updates (RFC 1624) always give what a full recomputation gives: random packets of
 * random (odd and even) lengths, random rewrites of IPv4 and IPv6 addresses and ports, TCP and UDP. A class of
 * its own: jqwik and Jupiter tests in one class overwrite each other's surefire report.
 */
class ChecksumPropertyTest {

    @Property(tries = 500)
    void ipv4NatRewritesMatchFullRecomputation(
            @ForAll boolean tcp, @ForAll boolean destination, @ForAll int src, @ForAll int dst,
            @ForAll @IntRange(max = 65535) int srcPort, @ForAll @IntRange(max = 65535) int dstPort,
            @ForAll int newAddr, @ForAll @IntRange(max = 65535) int newPort,
            @ForAll @Size(max = 75) byte[] payload, @ForAll @IntRange(max = 10) int optionWords,
            @ForAll boolean udpChecksum) {
        int proto = tcp ? IpProtocol.TCP : IpProtocol.UDP;
        MemorySegment s = MemorySegment.ofArray(new byte[256]);
        int len = Build.ipv4(s, proto, src, srcPort, dst, dstPort, payload, optionWords, udpChecksum);
        Ipv4Header ip = new Ipv4Header().wrap(s, 14, len - 14);
        assertThat(ip.valid()).isTrue();
        int before = Net.u16(s, ip.payloadOffset() + (tcp ? 16 : 6));

        boolean done = destination ? Rewrite.dnatV4(ip, newAddr, newPort) : Rewrite.snatV4(ip, newAddr, newPort);

        assertThat(done).isTrue();
        assertThat(ip.checksumValid()).isTrue();
        int stored = ip.checksum();
        ip.computeChecksum();
        assertThat(stored).isEqualTo(ip.checksum());
        assertThat(destination ? ip.destination() : ip.source()).isEqualTo(newAddr);
        long l4 = ip.payloadOffset();
        assertThat(Net.u16(s, l4 + (destination ? 2 : 0))).isEqualTo(newPort);
        int l4len = ip.payloadLength();
        int l4sum = Net.u16(s, l4 + (tcp ? 16 : 6));
        if (!tcp && !udpChecksum) {
            assertThat(before).isZero();
            assertThat(l4sum).as("UDP without checksum stays without").isZero();
        } else {
            long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), proto, l4len);
            assertThat(l4sum).isEqualTo(Build.fullL4Checksum(s, l4, proto, pseudo, l4len));
        }
    }

    @Property(tries = 500)
    void ipv6NatRewritesMatchFullRecomputation(
            @ForAll boolean tcp, @ForAll boolean destination, @ForAll long srcHi, @ForAll long srcLo,
            @ForAll long dstHi, @ForAll long dstLo, @ForAll @IntRange(max = 65535) int srcPort,
            @ForAll @IntRange(max = 65535) int dstPort, @ForAll long newHi, @ForAll long newLo,
            @ForAll @IntRange(max = 65535) int newPort, @ForAll @Size(max = 75) byte[] payload,
            @ForAll boolean extension, @ForAll boolean portToo) {
        int proto = tcp ? IpProtocol.TCP : IpProtocol.UDP;
        MemorySegment s = MemorySegment.ofArray(new byte[256]);
        int len = Build.ipv6(s, proto, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, payload, extension);
        Ipv6Header ip = new Ipv6Header().wrap(s, 14, len - 14);
        assertThat(ip.parse()).isEqualTo(proto);

        boolean done = portToo
                ? (destination ? Rewrite.dnatV6(ip, newHi, newLo, newPort) : Rewrite.snatV6(ip, newHi, newLo, newPort))
                : Rewrite.addressV6(ip, newHi, newLo, destination);

        assertThat(done).isTrue();
        assertThat(destination ? ip.destinationHi() : ip.sourceHi()).isEqualTo(newHi);
        assertThat(destination ? ip.destinationLo() : ip.sourceLo()).isEqualTo(newLo);
        long l4 = ip.upperLayerOffset();
        int l4len = ip.upperLayerLength();
        int l4sum = Net.u16(s, l4 + (tcp ? 16 : 6));
        assertThat(l4sum).isEqualTo(Build.fullL4Checksum(s, l4, proto, ip.pseudoHeaderSum(proto, l4len), l4len));
    }

    /** The bare update functions against recomputation over a random buffer, at random (odd too) positions. */
    @Property(tries = 1000)
    void update16And32MatchRecomputation(@ForAll @Size(min = 4, max = 101) byte[] data,
                                         @ForAll @IntRange(max = 100) int at, @ForAll int now, @ForAll boolean wide) {
        MemorySegment s = MemorySegment.ofArray(data.clone());
        int width = wide ? 4 : 2;
        int pos = (at % (data.length - width + 1)) & ~1; // fields sit on 16-bit boundaries
        int before = Checksum.checksum(s, 0, data.length);
        int updated;
        if (wide) {
            int old = Net.i32(s, pos);
            Net.i32(s, pos, now);
            updated = Checksum.update32(before, old, now);
        } else {
            int old = Net.u16(s, pos);
            Net.u16(s, pos, now & 0xFFFF);
            updated = Checksum.update16(before, old, now & 0xFFFF);
        }
        int full = Checksum.checksum(s, 0, data.length);
        // Equal as one's-complement residues; equal as bits unless the data sums to zero (all zero bytes).
        assertThat(Checksum.fold(~updated & 0xFFFF) % 0xFFFF).isEqualTo(Checksum.fold(~full & 0xFFFF) % 0xFFFF);
        if (Checksum.sum(s, 0, data.length, 0) != 0) {
            assertThat(updated).isEqualTo(full);
        }
    }

    @Property(tries = 1000)
    void update128MatchesRecomputation(@ForAll long oldHi, @ForAll long oldLo, @ForAll long nowHi,
                                       @ForAll long nowLo, @ForAll @Size(max = 33) byte[] rest) {
        MemorySegment s = MemorySegment.ofArray(new byte[17 + rest.length]);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 16, (byte) 0x60); // never all zero
        MemorySegment.copy(MemorySegment.ofArray(rest), 0, s, 17, rest.length);
        Net.i64(s, 0, oldHi);
        Net.i64(s, 8, oldLo);
        int before = Checksum.checksum(s, 0, s.byteSize());
        Net.i64(s, 0, nowHi);
        Net.i64(s, 8, nowLo);
        assertThat(Checksum.update128(before, oldHi, oldLo, nowHi, nowLo)).isEqualTo(Checksum.checksum(s, 0, s.byteSize()));
    }

    /** Whatever the bytes, the checks never throw. */
    @Property(tries = 2000)
    void garbageNeverThrows(@ForAll @Size(max = 120) byte[] bytes, @ForAll @IntRange(max = 130) int offset) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        new EthernetFrame().wrap(s, offset).valid();
        new ArpPacket().wrap(s, offset).valid();
        Ipv4Header ip = new Ipv4Header().wrap(s, offset);
        if (ip.valid()) {
            org.jvs.core.sched.Flow f = new org.jvs.core.sched.Flow();
            Flows.fromIpv4(ip, f);
            ip.checksumValid();
            Rewrite.dnatV4(ip, 1, 2);
        }
        Ipv6Header ip6 = new Ipv6Header().wrap(s, offset);
        if (ip6.parse() >= 0) {
            Flows.fromIpv6(ip6, new org.jvs.core.sched.Flow());
            Rewrite.dnatV6(ip6, 1, 2, 3);
            Rewrite.addressV6(ip6, 1, 2, false);
        }
        new TcpHeader().wrap(s, offset).valid(bytes.length - offset);
        new UdpHeader().wrap(s, offset).valid(bytes.length - offset);
        new IcmpHeader().wrap(s, offset).valid(bytes.length - offset);
        new Icmpv6Header().wrap(s, offset).valid(bytes.length - offset);
    }
}
