package org.jvs.sync;

/**
 * Constants of the IPVS sync protocol and the kernel's rules for message sizes. Layouts (all fields in network
 * order unless said otherwise; offsets from the start of the message or entry):
 *
 * <pre>
 * v0 header (4):   0 nr_conns u8 | 1 syncid u8 | 2 size u16
 * v0 entry (24):   0 reserved u8 | 1 protocol u8 | 2 cport | 4 vport | 6 dport | 8 caddr u32 | 12 vaddr
 *                  | 16 daddr | 20 flags u16 | 22 state u16, then when flags has IN_SEQ/OUT_SEQ 24 bytes of
 *                  in_seq and out_seq (init_seq, delta, previous_delta, each u32 in the SENDER's byte order)
 * v1 header (8):   0 reserved u8 = 0 | 1 syncid u8 | 2 size u16 | 4 nr_conns u8 | 5 version s8 = 1 | 6 spare u16 = 0
 * v1 entry:        0 type u8 (bit 0: IPv6) | 1 protocol u8 | 2 ver_size u16 (version in the top 4 bits, must
 *                  be 0; entry length in the low 12) | 4 flags u32 | 8 state u16 | 10 cport | 12 vport
 *                  | 14 dport | 16 fwmark u32 | 20 timeout u32 (seconds) | 24 caddr, vaddr, daddr (4 or 16
 *                  bytes each) -> 36 bytes (IPv4) or 72 (IPv6), then options {type u8, length u8, data}:
 *                  1 sequence data (24 bytes, network order), 2 PE data (up to 255), 3 PE name (up to 16);
 *                  option type bit 0x40 marks an option a receiver may ignore. Entries start 4-byte aligned:
 *                  the sender puts 0-3 zero bytes before an entry (never after the last one); the message size
 *                  counts them, the entry's own size does not.
 * </pre>
 */
public final class SyncProtocol {
    /** The IPv4 multicast group the kernel sends to unless told otherwise. */
    public static final String DEFAULT_GROUP = "224.0.0.81";
    /** The UDP port (the base port: sync thread {@code id} uses port + id). */
    public static final int DEFAULT_PORT = 8848;

    public static final int V0_HEADER_LEN = 4;
    public static final int V1_HEADER_LEN = 8;
    public static final int V0_ENTRY_LEN = 24;
    /** A v0 entry with its sequence data. */
    public static final int V0_ENTRY_SEQ_LEN = 48;
    public static final int V1_ENTRY_V4_LEN = 36;
    public static final int V1_ENTRY_V6_LEN = 72;
    /** Both {@code struct ip_vs_seq} (in, out) of three u32 each. */
    public static final int SEQ_DATA_LEN = 24;
    /** Longest PE name ({@code IP_VS_PENAME_MAXLEN}). */
    public static final int PE_NAME_MAX = 16;
    /** Longest PE data ({@code IP_VS_PEDATA_MAXLEN}); the option's u8 length could not say more anyway. */
    public static final int PE_DATA_MAX = 255;
    /** nr_conns is one byte. */
    public static final int MAX_CONNS = 255;

    public static final int OPT_SEQ_DATA = 1;
    public static final int OPT_PE_DATA = 2;
    public static final int OPT_PE_NAME = 3;
    /** Option type bit: "optional" — an unknown option with it is skipped, without it the entry is dropped. */
    public static final int OPT_F_OPTIONAL = 0x40;

    /** Entry type bit 0 ({@code STYPE_F_INET6}). */
    public static final int TYPE_INET6 = 0x01;

    /** IPv4 (20) + UDP (8) header bytes the kernel subtracts from the MTU. */
    public static final int IPV4_UDP_OVERHEAD = 28;
    /** IPv6 (40) + UDP (8) header bytes. */
    public static final int IPV6_UDP_OVERHEAD = 48;
    /** The kernel master's default maximum: 1500 - 28. */
    public static final int DEFAULT_MAXLEN_V4 = 1500 - IPV4_UDP_OVERHEAD;

    private SyncProtocol() {
    }

    /**
     * The kernel's default {@code sync_maxlen} for a master: it ignores the interface MTU and assumes 1500, so
     * its messages cross any standard network unfragmented (1472 bytes over IPv4, 1452 over IPv6).
     */
    public static int masterMaxLen(boolean ipv6Multicast) {
        return 1500 - (ipv6Multicast ? IPV6_UDP_OVERHEAD : IPV4_UDP_OVERHEAD);
    }

    /**
     * The kernel's default receive size for a backup: the interface MTU clamped to 1500..65535, minus the IP
     * and UDP headers. A backup's buffer must be at least the master's message size, or the datagram is
     * truncated and then fails the size check.
     */
    public static int backupMaxLen(int mtu, boolean ipv6Multicast) {
        int clamped = Math.clamp(mtu, 1500, 65535);
        return clamped - (ipv6Multicast ? IPV6_UDP_OVERHEAD : IPV4_UDP_OVERHEAD);
    }

    /**
     * A configured {@code sync_maxlen} as the kernel clamps it: at least 1 (master) or 1024 (backup), at most
     * 65535 minus the headers.
     */
    public static int clampMaxLen(int configured, boolean master, boolean ipv6Multicast) {
        int overhead = ipv6Multicast ? IPV6_UDP_OVERHEAD : IPV4_UDP_OVERHEAD;
        return Math.clamp(configured, master ? 1 : 1024, 65535 - overhead);
    }

    /** Number of states of an IPVS protocol, as a kernel backup checks them; 0 for protocols IPVS lacks. */
    public static int stateCount(int protocol) {
        return switch (protocol) {
            case 6 -> 11; // IP_VS_TCP_S_LAST; org.jvs.core.conn.TcpState has the same 11
            case 17 -> 1; // IP_VS_UDP_S_LAST: UDP has the one state NORMAL
            case 132 -> 14; // IP_VS_SCTP_S_LAST
            case 50, 51 -> 1; // ESP, AH
            default -> 0;
        };
    }
}
