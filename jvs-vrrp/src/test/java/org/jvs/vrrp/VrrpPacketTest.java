package org.jvs.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VrrpPacketTest {
    private static final int SRC = Ipv4.parse("192.0.2.2");
    private static final int VIP1 = Ipv4.parse("192.0.2.100");
    private static final int VIP2 = Ipv4.parse("198.51.100.7");

    private static byte[] ipPacket(int version, int prio, int centis, int[] addrs, int authType, byte[] auth, int dst) {
        MemorySegment seg = Arena.ofAuto().allocate(256);
        int len = VrrpPacket.write(seg, 20, version, 51, prio, centis, addrs, authType, auth, SRC, dst);
        VrrpPacket.writeIpv4Header(seg, 0, len, 0x1234, SRC, dst);
        return seg.asSlice(0, 20 + len).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void v3GoldenBytes() {
        byte[] ip = ipPacket(3, 100, 100, new int[] {VIP1}, 0, null, VrrpPacket.MULTICAST_GROUP);
        byte[] vrrp = java.util.Arrays.copyOfRange(ip, 20, ip.length);
        // 0x31 = v3 advert, VRID 51, prio 100, 1 address, rsvd 0 + 100 centiseconds, checksum, 192.0.2.100
        assertThat(HexFormat.of().formatHex(vrrp)).isEqualTo("31336401" + "0064" + checksumHex(vrrp) + "c0000264");
        // checksum by hand: pseudo-header 192.0.2.2 -> 224.0.0.18, proto 112, length 12
        long sum = 0xc000 + 0x0202 + 0xe000 + 0x0012 + 112 + 12 + 0x3133 + 0x6401 + 0x0064 + 0xc000 + 0x0264;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        assertThat(checksumHex(vrrp)).isEqualTo(String.format("%04x", ~sum & 0xFFFF));
        assertThat(HexFormat.of().formatHex(ip, 0, 20)).startsWith("45c00020123400 00ff70".replace(" ", ""));
    }

    @Test
    void v2GoldenBytesWithPassword() {
        byte[] ip = ipPacket(2, 150, 100, new int[] {VIP1}, VrrpPacket.AUTH_PASS,
                "secret".getBytes(StandardCharsets.UTF_8), VrrpPacket.MULTICAST_GROUP);
        byte[] vrrp = java.util.Arrays.copyOfRange(ip, 20, ip.length);
        assertThat(vrrp).hasSize(20);
        // 0x21 = v2 advert, VRID 51, prio 150, 1 address, auth type 1, 1 s
        assertThat(HexFormat.of().formatHex(vrrp)).isEqualTo("21339601" + "0101" + checksumHex(vrrp) + "c0000264"
                + HexFormat.of().formatHex("secret\0\0".getBytes(StandardCharsets.UTF_8)));
        // v2: no pseudo-header
        long sum = 0x2133 + 0x9601 + 0x0101 + 0xc000 + 0x0264 + 0x7365 + 0x6372 + 0x6574;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        assertThat(checksumHex(vrrp)).isEqualTo(String.format("%04x", ~sum & 0xFFFF));
    }

    private static String checksumHex(byte[] vrrp) {
        return HexFormat.of().formatHex(vrrp, 6, 8);
    }

    @Test
    void tsharkDecodesOurPackets(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("vrrp.pcap");
        Pcap.write(f, List.of(
                Pcap.ethernet(ipPacket(3, 100, 100, new int[] {VIP1, VIP2}, 0, null, VrrpPacket.MULTICAST_GROUP)),
                Pcap.ethernet(ipPacket(2, 254, 300, new int[] {VIP1}, VrrpPacket.AUTH_PASS,
                        "pw".getBytes(StandardCharsets.UTF_8), VrrpPacket.MULTICAST_GROUP)),
                Pcap.ethernet(ipPacket(3, 0, 4095, new int[] {VIP1}, 0, null, Ipv4.parse("192.0.2.3"))),
                Pcap.ethernet(ipPacket(2, 100, 100, new int[] {}, 0, null, VrrpPacket.MULTICAST_GROUP))));
        List<List<String>> rows = Pcap.fields(f, "ip.ttl", "ip.proto", "ip.checksum.status", "vrrp.version",
                "vrrp.type", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count", "vrrp.auth_type", "vrrp.adver_int",
                "vrrp.short_adver_int", "vrrp.checksum.status", "vrrp.ip_addr", "vrrp.auth_string");
        assertThat(rows).containsExactly(
                List.of("255", "112", "1", "3", "1", "51", "100", "2", "", "", "100", "1", "192.0.2.100,198.51.100.7", ""),
                List.of("255", "112", "1", "2", "1", "51", "254", "1", "1", "3", "", "1", "192.0.2.100", "pw"),
                List.of("255", "112", "1", "3", "1", "51", "0", "1", "", "", "4095", "1", "192.0.2.100", ""),
                List.of("255", "112", "1", "2", "1", "51", "100", "0", "0", "1", "", "1", "", ""));
    }

    @Test
    void tsharkFlagsABadChecksum(@TempDir Path dir) throws Exception {
        byte[] ip = ipPacket(3, 100, 100, new int[] {VIP1}, 0, null, VrrpPacket.MULTICAST_GROUP);
        ip[26] ^= 0x01;
        Path f = dir.resolve("bad.pcap");
        Pcap.write(f, List.of(Pcap.ethernet(ip)));
        assertThat(Pcap.fields(f, "vrrp.checksum.status")).containsExactly(List.of("0"));
        MemorySegment seg = MemorySegment.ofArray(ip);
        assertThat(new VrrpPacket().wrap(seg, 20, ip.length - 20).check(SRC, VrrpPacket.MULTICAST_GROUP))
                .isEqualTo(DropReason.BAD_CHECKSUM);
    }

    @Test
    void readsBackWhatItWrote() {
        byte[] ip = ipPacket(3, 77, 250, new int[] {VIP1, VIP2}, 0, null, VrrpPacket.MULTICAST_GROUP);
        VrrpPacket p = new VrrpPacket().wrap(MemorySegment.ofArray(ip), 20, ip.length - 20);
        assertThat(p.check(SRC, VrrpPacket.MULTICAST_GROUP)).isNull();
        assertThat(p.version()).isEqualTo(3);
        assertThat(p.type()).isEqualTo(1);
        assertThat(p.virtualRouterId()).isEqualTo(51);
        assertThat(p.priority()).isEqualTo(77);
        assertThat(p.addressCount()).isEqualTo(2);
        assertThat(p.maxAdvertIntCentis()).isEqualTo(250);
        assertThat(p.advertIntervalCentis()).isEqualTo(250);
        assertThat(p.addresses()).containsExactly(VIP1, VIP2);
        // v3 checksum depends on the destination: the same bytes to another destination fail
        assertThat(p.check(SRC, Ipv4.parse("192.0.2.3"))).isEqualTo(DropReason.BAD_CHECKSUM);
    }

    @Test
    void checksRejectMalformedPackets() {
        byte[] ip = ipPacket(2, 100, 100, new int[] {VIP1}, 0, null, VrrpPacket.MULTICAST_GROUP);
        MemorySegment seg = MemorySegment.ofArray(ip);
        VrrpPacket p = new VrrpPacket();
        assertThat(p.wrap(seg, 20, 6).check(SRC, 0)).isEqualTo(DropReason.TOO_SHORT);
        assertThat(p.wrap(seg, 20, 16).check(SRC, 0)).isEqualTo(DropReason.TOO_SHORT); // 1 address + auth = 20
        byte[] longer = java.util.Arrays.copyOf(ip, ip.length + 4);
        assertThat(p.wrap(MemorySegment.ofArray(longer), 20, longer.length - 20).check(SRC, 0))
                .isEqualTo(DropReason.LENGTH_MISMATCH);
        byte[] v4 = ip.clone();
        v4[20] = 0x41;
        assertThat(p.wrap(MemorySegment.ofArray(v4), 20, 20).check(SRC, 0)).isEqualTo(DropReason.BAD_VERSION);
        byte[] t2 = ip.clone();
        t2[20] = 0x22;
        assertThat(p.wrap(MemorySegment.ofArray(t2), 20, 20).check(SRC, 0)).isEqualTo(DropReason.BAD_TYPE);
        assertThat(p.wrap(seg, 20, 20).check(SRC, 0)).isNull(); // v2: the destination does not matter
    }

    @Test
    void garpFrameDecodesAsGratuitousArp(@TempDir Path dir) throws Exception {
        MemorySegment seg = Arena.ofAuto().allocate(64);
        int len = org.jvs.vrrp.io.GarpSender.writeFrame(seg, 0, 0x02_00_00_00_00_2AL, VIP1);
        byte[] f = seg.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        Path file = dir.resolve("garp.pcap");
        Pcap.write(file, List.of(f));
        Files.exists(file);
        assertThat(Pcap.fields(file, "eth.dst", "arp.opcode", "arp.isgratuitous", "arp.src.hw_mac", "arp.src.proto_ipv4",
                "arp.dst.hw_mac", "arp.dst.proto_ipv4")).containsExactly(List.of("ff:ff:ff:ff:ff:ff", "1", "1",
                "02:00:00:00:00:2a", "192.0.2.100", "ff:ff:ff:ff:ff:ff", "192.0.2.100"));
    }
}
