package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.CLIENT_MAC;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS1_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_EMPTY;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.EngineFixture.VIP_NO_NEIGHBOUR;
import static org.jvs.packet.engine.EngineFixture.VIP_SOCKET;
import static org.jvs.packet.engine.EngineFixture.RS_UNKNOWN;
import static org.jvs.packet.engine.EngineFixture.RS_UNKNOWN_MAC;
import static org.jvs.packet.engine.EngineFixture.SERVER_SIDE_IP;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.jvs.packet.Checksum;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.InMemoryPacketIo;
import org.jvs.packet.Ipv4Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The worker frame by frame: each case injects one frame (after an optional setup frame, whose output is
 * discarded), checks that exactly the expected counter moved and that the expected frame, byte for byte, or
 * nothing was sent. Expected frames are written by {@link Frames} with its own checksum code.
 */
class PacketWorkerTest {
    private static final byte[] PAYLOAD = "hello, real server".getBytes();
    private static final byte[] SYN_TO_UNKNOWN =
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40010, VIP_NO_NEIGHBOUR, 80, SYN, new byte[0]);

    private final EngineFixture fx = EngineFixture.oneLink(32);
    private final InMemoryPacketIo io = fx.io;

    @AfterEach
    void close() {
        fx.close();
    }

    record Case(String description, byte[] setup, byte[] input, String counter, ToLongFunction<PacketWorker> count,
                byte[] expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Case c(String description, byte[] setup, byte[] input, String counter, ToLongFunction<PacketWorker> count,
                  byte[] expected) {
        return new Case(description, setup, input, counter, count, expected);
    }

    static Stream<Case> cases() {
        byte[] drSyn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, SYN, new byte[0]);
        byte[] natSyn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]);
        byte[] natReply = Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[0]);
        byte[] natData = Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, ACK, PAYLOAD);
        byte[] truncatedTcp = Arrays.copyOf(drSyn, 14 + 20 + 10);
        truncatedTcp[16] = 0;
        truncatedTcp[17] = 30; // IP total length 30: a valid IPv4 header carrying 10 bytes of a TCP header
        return Stream.of(
                c("DR SYN: only the Ethernet addresses change", null, drSyn, "forwardedDr", PacketWorker::forwardedDr,
                        Frames.withMacs(drSyn, RS1_MAC, OWN_MAC)),
                c("DR data with payload", drSyn,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, PAYLOAD),
                        "forwardedDr", PacketWorker::forwardedDr,
                        Frames.withMacs(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, PAYLOAD),
                                RS1_MAC, OWN_MAC)),
                c("NAT SYN: destination rewritten to RIP:8080", null, natSyn, "forwardedNat", PacketWorker::forwardedNat,
                        Frames.tcp(RS2_MAC, OWN_MAC, CLIENT, 40001, RS2, 8080, SYN, new byte[0])),
                c("NAT UDP to a port-0 server keeps the service port", null,
                        Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, PAYLOAD),
                        "forwardedNat", PacketWorker::forwardedNat,
                        Frames.udp(RS2_MAC, OWN_MAC, CLIENT, 5353, RS2, 53, PAYLOAD)),
                c("NAT reply: source rewritten to VIP:80, to the gateway", natSyn, natReply, "natReplies",
                        PacketWorker::natReplies, Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0]))),
                c("NAT reply with payload", natSyn, natData, "natReplies", PacketWorker::natReplies,
                        Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 80, CLIENT, 40001, ACK, PAYLOAD))),
                c("unknown service: passed to the host, nothing sent", null,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40002, VIP_DR, 443, SYN, new byte[0]),
                        "passed", PacketWorker::passed, null),
                c("IPv4 for another MAC: passed", null, Frames.withMacs(drSyn, 0x02_00_00_00_00_99L, GATEWAY_MAC),
                        "passed", PacketWorker::passed, null),
                c("server's MAC unknown: dropped, and a broadcast ARP request asks for it", null,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40003, VIP_NO_NEIGHBOUR, 80, SYN, new byte[0]),
                        "noNeighbour", PacketWorker::noNeighbour,
                        Frames.arp(EthernetFrame.BROADCAST, OWN_MAC, 1, OWN_MAC, SERVER_SIDE_IP, 0, RS_UNKNOWN)),
                c("socket-engine service on a VIP: the kernel's, never scheduled here", null,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40006, VIP_SOCKET, 80, SYN, new byte[0]),
                        "passed", PacketWorker::passed, null),
                c("from a NAT server's address but no connection: the kernel's", null,
                        Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40999, ACK, new byte[0]),
                        "passed", PacketWorker::passed, null),
                c("ARP reply from a server we asked about: learned, nothing sent", SYN_TO_UNKNOWN,
                        Frames.arp(OWN_MAC, RS_UNKNOWN_MAC, 2, RS_UNKNOWN_MAC, RS_UNKNOWN, OWN_MAC, SERVER_SIDE_IP),
                        "passed", PacketWorker::passed, null),
                c("service without servers: dropped", null,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40004, VIP_EMPTY, 80, SYN, new byte[0]),
                        "noDest", PacketWorker::noDest, null),
                c("ACK without a connection: dropped", null,
                        Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40005, VIP_DR, 80, ACK, new byte[0]),
                        "noConn", PacketWorker::noConn, null),
                c("ARP request for a VIP: answered with our MAC", null,
                        Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR),
                        "arpReplies", PacketWorker::arpReplies,
                        Frames.arp(CLIENT_MAC, OWN_MAC, 2, OWN_MAC, VIP_DR, CLIENT_MAC, CLIENT)),
                c("ARP request for another address: nothing", null,
                        Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, Frames.ip(10, 0, 0, 1)),
                        "passed", PacketWorker::passed, null),
                c("ARP reply about a VIP: nothing", null,
                        Frames.arp(OWN_MAC, CLIENT_MAC, 2, CLIENT_MAC, CLIENT, OWN_MAC, VIP_DR),
                        "passed", PacketWorker::passed, null),
                c("truncated frame: dropped as malformed", null, Arrays.copyOf(drSyn, 30), "malformed",
                        PacketWorker::malformed, null),
                c("shorter than an Ethernet header: malformed", null, Arrays.copyOf(drSyn, 10), "malformed",
                        PacketWorker::malformed, null),
                c("TCP header cut short inside a valid IPv4 packet: malformed", null, truncatedTcp, "malformed",
                        PacketWorker::malformed, null),
                c("truncated ARP: malformed", null,
                        Arrays.copyOf(Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR), 30),
                        "malformed", PacketWorker::malformed, null),
                // The malformed-packet table: each kind of damage, its action and its counter.
                c("IHL 4 (a header shorter than 20 bytes): malformed", null, with(drSyn, 14, 0x44), "malformed",
                        PacketWorker::malformed, null),
                c("IHL 15 past the total length: malformed", null, with(drSyn, 14, 0x4F), "malformed",
                        PacketWorker::malformed, null),
                c("total length shorter than the header: malformed", null, with(with(drSyn, 16, 0), 17, 19), "malformed",
                        PacketWorker::malformed, null),
                c("total length past the frame: malformed", null, with(with(drSyn, 16, 0x05), 17, 0xDC), "malformed",
                        PacketWorker::malformed, null),
                c("IP version 5: malformed", null, with(drSyn, 14, 0x55), "malformed", PacketWorker::malformed, null),
                c("TCP data offset 15, past the segment: malformed", null, with(drSyn, 14 + 20 + 12, 0xF0), "malformed",
                        PacketWorker::malformed, null),
                c("TCP data offset 4, shorter than a TCP header: malformed", null, with(drSyn, 14 + 20 + 12, 0x40),
                        "malformed", PacketWorker::malformed, null),
                c("UDP length 0: malformed", null, with(with(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, PAYLOAD),
                        14 + 20 + 4, 0), 14 + 20 + 5, 0), "malformed", PacketWorker::malformed, null),
                c("UDP length past the datagram: malformed", null, with(Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, PAYLOAD),
                        14 + 20 + 4, 0x10), "malformed", PacketWorker::malformed, null),
                c("a later fragment whose first was never seen: dropped", null,
                        with(with(drSyn, 14 + 6, 0), 14 + 7, 0x10), "fragments", PacketWorker::fragments, null),
                c("IPv6: the kernel's (the engine forwards IPv4)", null, with(with(drSyn, 12, 0x86), 13, 0xDD), "passed",
                        PacketWorker::passed, null),
                c("an ICMP echo request to a VIP: the kernel's", null, icmpEcho(), "passed", PacketWorker::passed, null),
                c("a tagged DR SYN: forwarded with its tag", null, tagged(drSyn), "forwardedDr", PacketWorker::forwardedDr,
                        tagged(Frames.withMacs(drSyn, RS1_MAC, OWN_MAC))));
    }

    /** {@code f} with byte {@code at} set to {@code value} (a copy). */
    static byte[] with(byte[] f, int at, int value) {
        byte[] c = f.clone();
        c[at] = (byte) value;
        return c;
    }

    /** {@code f} with an 802.1Q tag (VLAN 9) after its Ethernet addresses. */
    static byte[] tagged(byte[] f) {
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[15] = 9;
        System.arraycopy(f, 12, t, 16, f.length - 12);
        return t;
    }

    private static byte[] icmpEcho() {
        return Frames.icmpError(OWN_MAC, GATEWAY_MAC, CLIENT, VIP_DR, 8, 0, 0,
                Frames.tcp(0, 0, VIP_DR, 80, CLIENT, 1, ACK, new byte[0]));
    }

    /** A NAT reply with TTL 1 cannot be routed one more hop: dropped, and the server hears "time exceeded". */
    @Test
    void aNatReplyWithTtlOneIsDroppedAndAnsweredWithTimeExceeded() {
        io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]));
        fx.worker.poll();
        io.discardSent();
        byte[] late = Frames.withTtl(Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, ACK, PAYLOAD), 1);
        io.inject(late);
        fx.worker.poll();

        assertThat(fx.worker.ttlExpired()).isEqualTo(1);
        assertThat(fx.worker.natReplies()).isZero();
        assertThat(fx.worker.icmpSent()).isEqualTo(1);
        byte[] f = io.takeSent();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
        assertThat(b.getLong(0) >>> 16).as("back to the server's MAC").isEqualTo(RS2_MAC);
        assertThat(b.getInt(14 + 12)).as("from the director's address").isEqualTo(SERVER_SIDE_IP);
        assertThat(b.getInt(14 + 16)).as("to the server").isEqualTo(RS2);
        assertThat(f[14 + 20]).as("time exceeded").isEqualTo((byte) 11);
        assertThat(f[14 + 21]).as("in transit").isZero();
        assertThat(Frames.checksum(Arrays.copyOfRange(f, 14, 34))).isZero();
        assertThat(Frames.checksum(Arrays.copyOfRange(f, 34, f.length))).isZero();
        assertThat(Arrays.copyOfRange(f, 42, f.length)).as("the whole packet quoted, as it came")
                .isEqualTo(Arrays.copyOfRange(late, 14, late.length));
    }

    /**
     * A VS/NAT packet whose TCP checksum is wrong stays wrong: the incremental fix carries the error along (the
     * engine does not verify what it does not have to), so the real server's kernel drops it as it would have.
     */
    @Test
    void aNatPacketWithABadChecksumIsForwardedStillBad() {
        byte[] bad = with(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40100, VIP_NAT, 80, SYN, new byte[0]), 14 + 20 + 17, 0x5A);
        io.inject(bad);
        fx.worker.poll();

        assertThat(fx.worker.forwardedNat()).isEqualTo(1);
        byte[] sent = io.takeSent();
        MemorySegment s = MemorySegment.ofArray(sent);
        Ipv4Header ip = new Ipv4Header().wrap(s, 14);
        assertThat(ip.checksumValid()).as("the IP header's is the engine's own work: right").isTrue();
        long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), 6, 20);
        assertThat(Checksum.fold(Checksum.sum(s, 34, 20, pseudo))).as("the TCP checksum still does not verify").isNotEqualTo(0xFFFF);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void frame(Case tc) {
        if (tc.setup() != null) {
            io.inject(tc.setup());
            fx.worker.poll();
            io.discardSent();
        }
        PacketWorker w = fx.worker;
        long before = tc.count().applyAsLong(w);
        long outcomesBefore = outcomes(w);
        long receivedBefore = w.received();

        io.inject(tc.input());
        assertThatCode(() -> w.poll()).doesNotThrowAnyException();

        assertThat(w.received() - receivedBefore).isEqualTo(1);
        assertThat(tc.count().applyAsLong(w) - before).as(tc.counter()).isEqualTo(1);
        assertThat(outcomes(w) - outcomesBefore).as("exactly one outcome counted").isEqualTo(1);
        if (tc.expected() == null) {
            assertThat(io.sentCount()).as("frames sent").isZero();
        } else {
            assertThat(io.sentCount()).as("frames sent").isEqualTo(1);
            byte[] sent = io.takeSent();
            assertThat(hex(sent)).isEqualTo(hex(tc.expected()));
            if (sent.length > 14 && (sent[12] & 0xFF) == 0x08 && sent[13] == 0) {
                assertChecksumsValid(sent);
            }
        }
    }

    @Test
    void aBatchOfMixedFramesKeepsItsOrder() {
        byte[] drSyn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 41000, VIP_DR, 80, SYN, new byte[0]);
        byte[] unknown = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 41001, VIP_DR, 22, SYN, new byte[0]);
        byte[] natSyn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 41002, VIP_NAT, 80, SYN, new byte[0]);
        byte[] arp = Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_NAT);
        for (byte[] f : new byte[][] {drSyn, unknown, natSyn, arp}) {
            io.inject(f);
        }
        assertThat(fx.worker.poll()).isEqualTo(4);
        assertThat(io.sentCount()).isEqualTo(3);
        assertThat(hex(io.takeSent())).isEqualTo(hex(Frames.withMacs(drSyn, RS1_MAC, OWN_MAC)));
        assertThat(hex(io.takeSent())).isEqualTo(hex(Frames.tcp(RS2_MAC, OWN_MAC, CLIENT, 41002, RS2, 8080, SYN, new byte[0])));
        assertThat(hex(io.takeSent())).isEqualTo(hex(Frames.arp(CLIENT_MAC, OWN_MAC, 2, OWN_MAC, VIP_NAT, CLIENT_MAC, CLIENT)));
        assertThat(fx.worker.passed()).isEqualTo(1);
        assertThat(fx.worker.forwarded()).isEqualTo(2);
    }

    @Test
    void aVipHeldForAVrrpBackupIsNotAnsweredForButItsTrafficStillForwarded() {
        fx.owned.hold(new int[] {VIP_DR});
        fx.owned.update(fx.lb);
        assertThat(fx.owned.current().isVip(VIP_DR)).isFalse();
        assertThat(fx.owned.current().heldList()).containsExactly(VIP_DR);
        assertThat(NftRules.script("t", java.util.List.of(fx.links[0]), fx.owned.current())).contains("ip daddr " + Addresses.ipv4(VIP_DR) + " counter drop");
        io.inject(Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR));
        byte[] drSyn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 41000, VIP_DR, 80, SYN, new byte[0]);
        io.inject(drSyn);
        assertThat(fx.worker.poll()).isEqualTo(2);
        assertThat(fx.worker.arpReplies()).isZero();
        assertThat(io.sentCount()).isEqualTo(1);
        assertThat(hex(io.takeSent())).isEqualTo(hex(Frames.withMacs(drSyn, RS1_MAC, OWN_MAC)));

        fx.owned.hold(new int[0]); // VRRP master again
        fx.owned.update(fx.lb);
        io.inject(Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR));
        fx.worker.poll();
        assertThat(fx.worker.arpReplies()).isEqualTo(1);
    }

    @Test
    void nothingWaitingIsZero() {
        assertThat(fx.worker.poll()).isZero();
        assertThat(fx.worker.received()).isZero();
    }

    private static long outcomes(PacketWorker w) {
        return w.forwarded() + w.arpReplies() + w.passed() + w.dropped();
    }

    /** IPv4 header and TCP/UDP checksums recomputed in full with the production {@link Checksum}. */
    private static void assertChecksumsValid(byte[] frame) {
        MemorySegment s = MemorySegment.ofArray(frame);
        Ipv4Header ip = new Ipv4Header().wrap(s, 14);
        assertThat(ip.valid()).isTrue();
        assertThat(Checksum.checksum(s, 14, ip.headerLength())).as("IPv4 header checksum").isZero();
        long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), ip.protocol(), ip.payloadLength());
        assertThat(Checksum.fold(Checksum.sum(s, ip.payloadOffset(), ip.payloadLength(), pseudo)))
                .as("transport checksum").isEqualTo(0xFFFF);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
