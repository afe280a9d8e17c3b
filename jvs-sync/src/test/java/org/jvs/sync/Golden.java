package org.jvs.sync;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.Supplier;
import org.jvs.core.conn.TcpState;
import org.jvs.core.model.IpAddr;

/**
 * Kernel-format sync messages written out by hand from the struct layouts of {@code ip_vs_sync.c}, one field
 * per line, with the records they must decode to. Hex text: everything after '#' on a line is a comment.
 */
final class Golden {

    record Vector(String name, SyncVersion version, int syncId, String hex, Supplier<List<SyncConn>> conns) {
        byte[] bytes() {
            return Golden.bytes(hex);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final IpAddr CLIENT = IpAddr.parse("192.0.2.10");
    static final IpAddr VIP = IpAddr.parse("10.0.0.100");
    static final IpAddr RS1 = IpAddr.parse("10.0.0.11");

    static SyncConn conn(int protocol, String c, int cport, String v, int vport, String d, int dport) {
        return new SyncConn().protocol(protocol).addresses(IpAddr.parse(c), IpAddr.parse(v), IpAddr.parse(d))
                .cport(cport).vport(vport).dport(dport);
    }

    /** The TCP connection of V1_DR, also used by other vectors. */
    static SyncConn drConn() {
        return conn(6, "192.0.2.10", 40000, "10.0.0.100", 80, "10.0.0.11", 80)
                .flags(ConnFlags.DROUTE).state(TcpState.ESTABLISHED).timeout(900);
    }

    static final Vector V1_DR = new Vector("v1 IPv4 TCP ESTABLISHED DR", SyncVersion.V1, 7, """
            # struct ip_vs_sync_mesg
            00            # reserved: 0 (a v0 receiver reads nr_conns 0)
            07            # syncid 7
            00 2c         # size 44 = 8 + 36
            01            # nr_conns 1
            01            # version 1
            00 00         # spare
            # struct ip_vs_sync_v4
            00            # type 0: IPv4
            06            # protocol TCP
            00 24         # ver_size: version 0, size 36
            00 00 00 03   # flags: DROUTE
            00 01         # state 1: ESTABLISHED
            9c 40         # cport 40000
            00 50         # vport 80
            00 50         # dport 80
            00 00 00 00   # fwmark 0
            00 00 03 84   # timeout 900 s
            c0 00 02 0a   # caddr 192.0.2.10
            0a 00 00 64   # vaddr 10.0.0.100
            0a 00 00 0b   # daddr 10.0.0.11
            """, () -> List.of(drConn()));

    static final Vector V1_IPV6 = new Vector("v1 IPv6 TCP SYN_RECV tunnel", SyncVersion.V1, 1, """
            00 01 00 50 01 01 00 00   # header: reserved, syncid 1, size 80 = 8 + 72, nr_conns 1, version 1, spare
            # struct ip_vs_sync_v6
            01            # type: STYPE_F_INET6
            06            # protocol TCP
            00 48         # ver_size: version 0, size 72
            00 00 01 02   # flags: TUNNEL | INACTIVE
            00 03         # state 3: SYN_RECV
            c3 50         # cport 50000
            01 bb         # vport 443
            01 bb         # dport 443
            00 00 00 00   # fwmark 0
            00 00 00 3c   # timeout 60 s
            20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 07   # caddr 2001:db8::7
            20 01 0d b8 00 00 00 00  00 00 00 00 00 00 01 00   # vaddr 2001:db8::100
            20 01 0d b8 00 01 00 00  00 00 00 00 00 00 00 11   # daddr 2001:db8:1::11
            """, () -> List.of(new SyncConn().protocol(6)
                    .addresses(IpAddr.parse("2001:db8::7"), IpAddr.parse("2001:db8::100"), IpAddr.parse("2001:db8:1::11"))
                    .cport(50000).vport(443).dport(443).flags(ConnFlags.TUNNEL | ConnFlags.INACTIVE)
                    .state(TcpState.SYN_RECV).timeout(60)));

    static final Vector V1_SEQ = new Vector("v1 NAT FTP with sequence option, then UDP after padding", SyncVersion.V1, 2, """
            00 02 00 6c 02 01 00 00   # header: syncid 2, size 108 = 8 + 62 + 2 (pad) + 36, nr_conns 2, version 1
            # entry 1: struct ip_vs_sync_v4 + IPVS_OPT_SEQ_DATA
            00 06         # type IPv4, protocol TCP
            00 3e         # ver_size: size 62 = 36 + 2 + 24
            00 00 06 00   # flags: MASQ | OUT_SEQ | IN_SEQ
            00 01         # state ESTABLISHED
            d4 31         # cport 54321
            00 15         # vport 21
            00 15         # dport 21
            00 00 00 00   # fwmark
            00 00 03 84   # timeout 900 s
            c0 00 02 14   # caddr 192.0.2.20
            0a 00 00 64   # vaddr 10.0.0.100
            0a 00 00 0c   # daddr 10.0.0.12
            01 18         # option IPVS_OPT_SEQ_DATA, length 24
            11 22 33 44   # in_seq.init_seq
            00 00 00 05   # in_seq.delta 5
            00 00 00 00   # in_seq.previous_delta
            aa bb cc dd   # out_seq.init_seq
            ff ff ff fb   # out_seq.delta -5
            00 00 00 00   # out_seq.previous_delta
            00 00         # padding: entry 2 starts on a 4-byte boundary
            # entry 2
            00 11 00 24   # type IPv4, protocol UDP, size 36
            00 00 00 00   # flags MASQ
            00 00         # state 0 (UDP NORMAL)
            9c 41 00 35 00 35   # cport 40001, vport 53, dport 53
            00 00 00 00   # fwmark
            00 00 01 2c   # timeout 300 s
            c0 00 02 15 0a 00 00 64 0a 00 00 0d   # 192.0.2.21, 10.0.0.100, 10.0.0.13
            """, () -> List.of(
                    conn(6, "192.0.2.20", 54321, "10.0.0.100", 21, "10.0.0.12", 21)
                            .flags(ConnFlags.MASQ | ConnFlags.SEQ_MASK).state(TcpState.ESTABLISHED).timeout(900)
                            .seq(0x11223344, 5, 0, 0xAABBCCDD, -5, 0),
                    conn(17, "192.0.2.21", 40001, "10.0.0.100", 53, "10.0.0.13", 53).timeout(300)));

    static final Vector V1_TEMPLATE = new Vector("v1 connection and its persistence template", SyncVersion.V1, 7, """
            00 07 00 50 02 01 00 00   # header: syncid 7, size 80 = 8 + 36 + 36, nr_conns 2, version 1
            # entry 1: the connection (the kernel sends a connection before its controlling template)
            00 06 00 24 00 00 00 03 00 01 9c 40 00 50 00 50 00 00 00 00 00 00 03 84 c0 00 02 0a 0a 00 00 64 0a 00 00 0b
            # entry 2: the template
            00 06 00 24   # IPv4, TCP, size 36
            00 00 10 03   # flags: TEMPLATE | DROUTE
            00 00         # state 0: IP_VS_CTPL_S_NONE
            00 00         # cport 0: persistence is per client address
            00 50 00 50   # vport 80, dport 80
            00 00 00 00   # fwmark
            00 00 01 68   # timeout 360 s: the persistence timeout
            c0 00 02 00   # caddr 192.0.2.0: the client under the persistence netmask /24
            0a 00 00 64 0a 00 00 0b
            """, () -> List.of(drConn(),
                    conn(6, "192.0.2.0", 0, "10.0.0.100", 80, "10.0.0.11", 80)
                            .flags(ConnFlags.TEMPLATE | ConnFlags.DROUTE).timeout(360)));

    static final Vector V1_FWMARK = new Vector("v1 fwmark service: connection and template", SyncVersion.V1, 9, """
            00 09 00 50 02 01 00 00   # header: syncid 9, size 80, nr_conns 2, version 1
            00 06 00 24 00 00 00 03   # IPv4 TCP size 36, DROUTE
            00 01 9c 42 01 bb 01 bb   # ESTABLISHED, cport 40002, vport 443, dport 443
            00 00 00 42               # fwmark 66
            00 00 03 84               # timeout 900
            c0 00 02 0a 0a 00 00 64 0a 00 00 0b
            # the fwmark template: protocol IPPROTO_IP, the mark in place of the virtual address, ports 0
            00 00 00 24 00 00 10 03   # IPv4, protocol 0, size 36, TEMPLATE | DROUTE
            00 00 00 00 00 00 00 00   # state 0, cport 0, vport 0, dport 0
            00 00 00 42               # fwmark 66
            00 00 01 2c               # timeout 300
            c0 00 02 0a               # caddr
            00 00 00 42               # vaddr 0.0.0.66: the fwmark
            0a 00 00 0b               # daddr
            """, () -> List.of(
                    conn(6, "192.0.2.10", 40002, "10.0.0.100", 443, "10.0.0.11", 443).flags(ConnFlags.DROUTE)
                            .state(TcpState.ESTABLISHED).fwmark(66).timeout(900),
                    conn(0, "192.0.2.10", 0, "0.0.0.66", 0, "10.0.0.11", 0)
                            .flags(ConnFlags.TEMPLATE | ConnFlags.DROUTE).fwmark(66).timeout(300)));

    static final Vector V1_PE = new Vector("v1 SIP persistence-engine data and name", SyncVersion.V1, 5, """
            00 05 00 41 01 01 00 00   # header: syncid 5, size 65 = 8 + 57, nr_conns 1, version 1
            00 11 00 39   # IPv4, UDP, size 57 = 36 + (2 + 14) + (2 + 3)
            00 00 00 00 00 00         # flags MASQ, state 0
            13 c4 13 c4 13 c4         # ports 5060
            00 00 00 00 00 00 00 b4   # fwmark 0, timeout 180
            c0 00 02 1e 0a 00 00 64 0a 00 00 0e   # 192.0.2.30, 10.0.0.100, 10.0.0.14
            02 0e         # IPVS_OPT_PE_DATA, length 14: the SIP Call-ID
            63 61 6c 6c 2d 31 40 65 78 61 6d 70 6c 65   # "call-1@example"
            03 03         # IPVS_OPT_PE_NAME, length 3
            73 69 70      # "sip"
            """, () -> {
                byte[] callId = "call-1@example".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                return List.of(conn(17, "192.0.2.30", 5060, "10.0.0.100", 5060, "10.0.0.14", 5060).timeout(180)
                        .peData(callId, 0, callId.length).peName("sip"));
            });

    static final Vector V0_PLAIN = new Vector("v0 IPv4 TCP DR", SyncVersion.V0, 3, """
            # struct ip_vs_sync_mesg_v0
            01            # nr_conns 1
            03            # syncid 3
            00 1c         # size 28 = 4 + 24
            # struct ip_vs_sync_conn_v0
            00            # reserved
            06            # protocol TCP
            9c 40         # cport 40000
            00 50         # vport 80
            00 50         # dport 80
            c0 00 02 0a   # caddr 192.0.2.10
            0a 00 00 64   # vaddr 10.0.0.100
            0a 00 00 0b   # daddr 10.0.0.11
            00 03         # flags (16 bits): DROUTE
            00 01         # state ESTABLISHED
            """, () -> List.of(drConn().timeout(0)));

    static final Vector V0_SEQ = new Vector("v0 with sequence data, then a plain entry", SyncVersion.V0, 3, """
            02 03 00 4c   # nr_conns 2, syncid 3, size 76 = 4 + 48 + 24
            00 06 d4 31 00 15 00 15   # reserved, TCP, cport 54321, vport 21, dport 21
            c0 00 02 14 0a 00 00 64 0a 00 00 0c   # 192.0.2.20, 10.0.0.100, 10.0.0.12
            06 00         # flags: MASQ | OUT_SEQ | IN_SEQ -> struct ip_vs_sync_conn_options follows
            00 01         # state ESTABLISHED
            # struct ip_vs_sync_conn_options: memcpy of host-order ip_vs_seq, little-endian on x86
            44 33 22 11   # in_seq.init_seq 0x11223344
            05 00 00 00   # in_seq.delta 5
            00 00 00 00   # in_seq.previous_delta
            dd cc bb aa   # out_seq.init_seq 0xaabbccdd
            fb ff ff ff   # out_seq.delta -5
            00 00 00 00   # out_seq.previous_delta
            # entry 2, no padding in v0
            00 11 9c 41 00 35 00 35 c0 00 02 15 0a 00 00 64 0a 00 00 0d 00 00 00 00
            """, () -> List.of(
                    conn(6, "192.0.2.20", 54321, "10.0.0.100", 21, "10.0.0.12", 21)
                            .flags(ConnFlags.MASQ | ConnFlags.SEQ_MASK).state(TcpState.ESTABLISHED)
                            .seq(0x11223344, 5, 0, 0xAABBCCDD, -5, 0),
                    conn(17, "192.0.2.21", 40001, "10.0.0.100", 53, "10.0.0.13", 53)));

    static final List<Vector> ALL = List.of(V1_DR, V1_IPV6, V1_SEQ, V1_TEMPLATE, V1_FWMARK, V1_PE, V0_PLAIN, V0_SEQ);

    static byte[] bytes(String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : hex.split("\n")) {
            int hash = line.indexOf('#');
            String data = (hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", "");
            if (data.length() % 2 != 0) {
                throw new IllegalArgumentException("odd hex digits in: " + line);
            }
            for (int i = 0; i < data.length(); i += 2) {
                out.write(Integer.parseInt(data, i, i + 2, 16));
            }
        }
        return out.toByteArray();
    }

    private Golden() {
    }
}
