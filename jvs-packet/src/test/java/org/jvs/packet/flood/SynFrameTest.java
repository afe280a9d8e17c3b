package org.jvs.packet.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jvs.packet.Checksum;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.TcpHeader;
import org.junit.jupiter.api.Test;

class SynFrameTest {
    @Test
    void aSynIsFortyBytesOfIpv4WithBothChecksumsRight() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(128);
            int src = SynFlood.parseIpv4("198.18.7.9");
            int dst = SynFlood.parseIpv4("203.0.113.10");
            new SynFrame().write(seg, 10, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, src, 40000, dst, 80, 0x12345678, 77);

            EthernetFrame eth = new EthernetFrame().wrap(seg, 10, SynFrame.LENGTH);
            assertTrue(eth.valid());
            assertEquals(0x02_00_00_00_00_02L, eth.destination());
            assertEquals(EthernetFrame.TYPE_IPV4, eth.etherType());
            Ipv4Header ip = new Ipv4Header().wrap(seg, 24, 40);
            assertTrue(ip.valid());
            assertTrue(ip.checksumValid());
            assertEquals(40, ip.totalLength());
            assertEquals(src, ip.source());
            assertEquals(dst, ip.destination());
            assertEquals(IpProtocol.TCP, ip.protocol());
            TcpHeader tcp = new TcpHeader().wrap(seg, 44);
            assertTrue(tcp.valid(20));
            assertEquals(TcpHeader.SYN, tcp.flags());
            assertEquals(40000, tcp.sourcePort());
            assertEquals(80, tcp.destinationPort());
            assertEquals(0xFFFF, Checksum.fold(Checksum.sum(seg, 44, 20, Checksum.pseudoV4(src, dst, IpProtocol.TCP, 20))),
                    "TCP checksum over pseudo-header and segment");
        }
    }

    @Test
    void optionsAreCheckedWithMessagesThatNameTheProblem() {
        SynFlood.Options o = SynFlood.parse(new String[] {"--iface", "eth0", "--dst-mac", "02:00:00:00:00:02",
                "--dst", "192.0.2.11,192.0.2.12", "--src-prefix", "198.18.5.5/15", "--rate", "1000"});
        assertEquals(SynFlood.parseIpv4("198.18.0.0"), o.srcBase(), "host bits of the prefix cleared");
        assertEquals(0xFFFE0000, o.srcMask());
        assertEquals(2, o.destinations().length);
        assertEquals(1000, o.rate());
        assertEquals("'10.0.0' is not an IPv4 address", assertThrows(IllegalArgumentException.class,
                () -> SynFlood.parse(new String[] {"--iface", "e", "--dst-mac", "02:00:00:00:00:02", "--dst", "10.0.0"})).getMessage());
        assertEquals("--seconds 0: out of range 1..3600", assertThrows(IllegalArgumentException.class,
                () -> SynFlood.parse(new String[] {"--seconds", "0"})).getMessage());
        assertEquals("--iface, --dst-mac and --dst are required", assertThrows(IllegalArgumentException.class,
                () -> SynFlood.parse(new String[] {"--iface", "eth0"})).getMessage());
        assertEquals("'zz' is not a MAC address (aa:bb:cc:dd:ee:ff)", assertThrows(IllegalArgumentException.class,
                () -> SynFlood.parse(new String[] {"--dst-mac", "zz"})).getMessage());
    }
}
