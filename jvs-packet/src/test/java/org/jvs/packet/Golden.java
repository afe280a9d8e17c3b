package org.jvs.packet;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * Golden frames, byte by byte. Each follows the layout of a typical capture of that exchange (same header
 * fields and options as Linux sends them, addresses in documentation ranges); they were written out, and
 * their checksums computed, by an independent implementation (a short Python {@code struct}-based script,
 * not kept), so the Java checksum code is checked against values it did not produce.
 */
final class Golden {
    /** ARP who-has 192.168.1.1 tell 192.168.1.10, broadcast, padded to the 60-byte Ethernet minimum. */
    static final String ARP_REQUEST = "ffffffffffff" + "001122334455" + "0806"
            + "0001" + "0800" + "06" + "04" + "0001"
            + "001122334455" + "c0a8010a" + "000000000000" + "c0a80101"
            + "000000000000000000000000000000000000";

    /** TCP SYN 192.0.2.7:40000 -> 10.0.0.100:80 with MSS, SACK-permitted, timestamps, NOP, window scale. */
    static final String TCP_SYN = "020000000001020000000002080045000"
            + "03c1c4640004006520bc00002070a0000649c4000501234567800000000a002faf07b660000020405b40402080a"
            + "000000010000000001030307";

    /** DNS query for example.com A, UDP 2001:db8::1:53000 -> 2001:db8::53:53, behind a hop-by-hop header (PadN). */
    static final String DNS_OVER_IPV6_HBH = "02000000000102000000000286dd60000000002d004020010db80000000000000000"
            + "0000000120010db80000000000000000000000531100010400000000cf0800350025f2fe12340100000100000000"
            + "0000076578616d706c6503636f6d0000010001";

    /** ICMP port unreachable from 10.0.0.11 to 192.0.2.7 quoting its UDP datagram 192.0.2.7:40001 -> 10.0.0.11:53. */
    static final String ICMP_PORT_UNREACHABLE = "020000000002020000000001080045c000384242000040016bb10a00000bc000"
            + "02070303a1790000000045000031010100003f11aea9c00002070a00000b9c410035001dbeef";

    /** 802.1Q-tagged (PCP 3, VLAN 100) broadcast ICMP echo request 10.1.0.1 -> 10.1.0.2, payload "abcd". */
    static final String VLAN_ECHO = "ffffffffffff0a0b0c0d0e0f8100606408004500002000010000400166d80a0100010a01"
            + "0002080027850bad000761626364";

    private Golden() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static MemorySegment segment(String hex) {
        return MemorySegment.ofArray(bytes(hex));
    }

    static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }
}
