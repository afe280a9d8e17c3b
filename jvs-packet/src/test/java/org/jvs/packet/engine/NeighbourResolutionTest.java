package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS_UNKNOWN;
import static org.jvs.packet.engine.EngineFixture.RS_UNKNOWN_MAC;
import static org.jvs.packet.engine.EngineFixture.SERVER_SIDE_IP;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NO_NEIGHBOUR;
import static org.jvs.packet.engine.Frames.SYN;

import java.time.Duration;
import java.util.HexFormat;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.InMemoryPacketIo;
import org.jvs.packet.PacketBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's own ARP, driven by a manual clock: a request on a miss, at most one per second per address,
 * three tries then a rest; replies learned; entries reachable for 60 s, then re-probed by unicast while still
 * used, and forgotten when three re-probes go unanswered; gratuitous ARP for a VIP.
 */
class NeighbourResolutionTest {
    private final EngineFixture fx = EngineFixture.oneLink(32);
    private final InMemoryPacketIo io = fx.io;
    private int clientPort = 30000;

    private static final byte[] BROADCAST_REQUEST =
            Frames.arp(EthernetFrame.BROADCAST, OWN_MAC, 1, OWN_MAC, SERVER_SIDE_IP, 0, RS_UNKNOWN);
    private static final byte[] UNICAST_PROBE =
            Frames.arp(RS_UNKNOWN_MAC, OWN_MAC, 1, OWN_MAC, SERVER_SIDE_IP, RS_UNKNOWN_MAC, RS_UNKNOWN);
    private static final byte[] REPLY =
            Frames.arp(OWN_MAC, RS_UNKNOWN_MAC, 2, RS_UNKNOWN_MAC, RS_UNKNOWN, OWN_MAC, SERVER_SIDE_IP);

    @AfterEach
    void close() {
        fx.close();
    }

    /** A new connection to the server whose MAC must be resolved; returns what the worker sent, in order. */
    private String[] synToUnknown() {
        io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, clientPort++, VIP_NO_NEIGHBOUR, 80, SYN, new byte[0]));
        fx.worker.poll();
        String[] sent = new String[io.sentCount()];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = hex(io.takeSent());
        }
        return sent;
    }

    private void after(long millis) {
        fx.clock.advance(Duration.ofMillis(millis));
    }

    @Test
    void missSendsOneRequestPerSecondThreeTimesThenRests() {
        assertThat(synToUnknown()).containsExactly(hex(BROADCAST_REQUEST));
        after(500);
        assertThat(synToUnknown()).as("rate-limited: within a second of the last request").isEmpty();
        after(500);
        assertThat(synToUnknown()).as("second try").containsExactly(hex(BROADCAST_REQUEST));
        after(1000);
        assertThat(synToUnknown()).as("third try").containsExactly(hex(BROADCAST_REQUEST));
        after(1000);
        assertThat(synToUnknown()).as("three unanswered: resting").isEmpty();
        after(8000);
        assertThat(synToUnknown()).as("still resting 9 s after the last try").isEmpty();
        after(1000);
        assertThat(synToUnknown()).as("a new round after 10 s").containsExactly(hex(BROADCAST_REQUEST));
        assertThat(fx.worker.noNeighbour()).isEqualTo(7);
        assertThat(fx.worker.arpRequests()).isEqualTo(4);
        assertThat(fx.worker.forwarded()).isZero();
    }

    @Test
    void aReplyIsLearnedAndTheNextPacketGoes() {
        assertThat(synToUnknown()).containsExactly(hex(BROADCAST_REQUEST));
        io.inject(REPLY);
        fx.worker.poll();
        assertThat(io.sentCount()).isZero();
        assertThat(fx.worker.learned()).isEqualTo(1);
        String[] sent = synToUnknown();
        assertThat(sent).hasSize(1);
        assertThat(sent[0]).startsWith(hex(Frames.withMacs(new byte[12], RS_UNKNOWN_MAC, OWN_MAC)));
        assertThat(fx.worker.forwardedDr()).isEqualTo(1);
    }

    @Test
    void anAgedEntryIsReprobedByUnicastThenForgottenWhenSilent() {
        fx.links[0].neighbours().learn(RS_UNKNOWN, RS_UNKNOWN_MAC, fx.clock.millis(), true);
        after(59_999);
        assertThat(synToUnknown()).as("reachable for 60 s: forwarded, no probe").hasSize(1);
        after(1);
        String[] sent = synToUnknown();
        assertThat(sent).as("aged: still used, and probed by unicast").hasSize(2);
        assertThat(sent[0]).isEqualTo(hex(UNICAST_PROBE));
        after(1000);
        assertThat(synToUnknown()).as("second probe").hasSize(2);
        after(1000);
        assertThat(synToUnknown()).as("third probe").hasSize(2);
        after(999);
        assertThat(synToUnknown()).as("the third may still be answered").hasSize(1);
        after(1);
        assertThat(synToUnknown()).as("three unanswered: forgotten, dropped").isEmpty();
        assertThat(fx.links[0].neighbours().lookup(RS_UNKNOWN)).isEqualTo(NeighbourTable.NONE);
        assertThat(fx.worker.arpRequests()).isEqualTo(3);
    }

    @Test
    void anAnsweredReprobeKeepsTheEntry() {
        fx.links[0].neighbours().learn(RS_UNKNOWN, RS_UNKNOWN_MAC, fx.clock.millis(), true);
        after(60_000);
        assertThat(synToUnknown()).hasSize(2);
        io.inject(REPLY);
        fx.worker.poll();
        after(59_999);
        assertThat(synToUnknown()).as("confirmed again: another 60 s without probes").hasSize(1);
    }

    @Test
    void requestsForUsTeachTheSenderAndOthersOnlyRefresh() {
        int stranger = Frames.ip(10, 0, 1, 77);
        long strangerMac = 0x02_00_00_00_07_07L;
        io.inject(Frames.arp(EthernetFrame.BROADCAST, strangerMac, 1, strangerMac, stranger, 0, Frames.ip(10, 0, 1, 78)));
        fx.worker.poll();
        assertThat(fx.links[0].neighbours().lookup(stranger)).as("asking someone else").isEqualTo(NeighbourTable.NONE);
        io.inject(Frames.arp(EthernetFrame.BROADCAST, strangerMac, 1, strangerMac, stranger, 0, VIP_DR));
        fx.worker.poll();
        assertThat(fx.links[0].neighbours().lookup(stranger)).as("asking for a VIP").isEqualTo(strangerMac);
        assertThat(fx.worker.arpReplies()).isEqualTo(1);
    }

    @Test
    void staticEntriesNeverAgeAndArpDoesNotChangeThem() {
        NeighbourTable t = new NeighbourTable(16);
        t.put(RS_UNKNOWN, RS_UNKNOWN_MAC);
        assertThat(t.learn(RS_UNKNOWN, 0x02_00_00_00_09_09L, 0, true)).isFalse();
        assertThat(t.resolve(RS_UNKNOWN, Long.MAX_VALUE / 8)).isEqualTo(RS_UNKNOWN_MAC);
        t.remove(RS_UNKNOWN);
        assertThat(t.lookup(RS_UNKNOWN)).isEqualTo(NeighbourTable.NONE);
    }

    @Test
    void aFullTableRefusesNewAddressesAndCompactionFreesOldOnes() {
        NeighbourTable t = new NeighbourTable(16);
        for (int i = 1; i <= 16; i++) {
            assertThat(t.resolve(Frames.ip(10, 9, 0, i), 0)).isEqualTo(NeighbourTable.MISS_PROBE);
        }
        assertThat(t.resolve(Frames.ip(10, 9, 1, 1), 0)).as("full").isEqualTo(NeighbourTable.NONE);
        t.learn(Frames.ip(10, 9, 0, 1), 0x02_00_00_00_00_aaL, NeighbourTable.FORGET_MILLIS, false);
        t.compact(NeighbourTable.FORGET_MILLIS + 1);
        assertThat(t.claimed()).as("only the confirmed one stays").isEqualTo(1);
        assertThat(t.lookup(Frames.ip(10, 9, 0, 1))).isEqualTo(0x02_00_00_00_00_aaL);
        assertThat(t.resolve(Frames.ip(10, 9, 1, 1), NeighbourTable.FORGET_MILLIS + 1)).isEqualTo(NeighbourTable.MISS_PROBE);
    }

    @Test
    void gratuitousArpAnnouncesTheVip() {
        PacketBatch b = new PacketBatch(4, 64);
        assertThat(new ArpFrames().gratuitous(b, OWN_MAC, VIP_DR)).isTrue();
        byte[] sent = b.frame(0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(hex(sent)).isEqualTo(hex(Frames.arp(EthernetFrame.BROADCAST, OWN_MAC, 1, OWN_MAC, VIP_DR, 0, VIP_DR)));
    }

    @Test
    void aGleanedEntryIsUsableAtOnceProbedOnFirstUseAndForgottenIfNobodyAnswers() {
        NeighbourTable t = new NeighbourTable(16);
        int a = Frames.ip(10, 9, 0, 1);
        long mac = 0x02_00_00_00_09_01L;

        assertThat(t.glean(a, mac, 0)).isTrue();
        assertThat(t.resolve(a, 0)).as("first use: the MAC, and a unicast probe due").isEqualTo(mac | NeighbourTable.PROBE);
        assertThat(t.resolve(a, 10)).as("the probe is out").isEqualTo(mac);
        assertThat(t.resolve(a, 1_000)).isEqualTo(mac | NeighbourTable.PROBE);
        assertThat(t.resolve(a, 2_000)).isEqualTo(mac | NeighbourTable.PROBE);
        assertThat(t.resolve(a, 3_000)).as("three probes unanswered: forgotten").isEqualTo(NeighbourTable.NONE);

        int b = Frames.ip(10, 9, 0, 2);
        assertThat(t.glean(b, mac, 0)).isTrue();
        assertThat(t.learn(b, mac, 5, false)).as("its ARP answer confirms it").isTrue();
        assertThat(t.resolve(b, 10)).isEqualTo(mac);
    }

    @Test
    void gleaningNeverChangesAKnownMacAndIgnoresGroupAndZeroAddresses() {
        NeighbourTable t = new NeighbourTable(16);
        int a = Frames.ip(10, 9, 0, 1);
        t.learn(a, 0x02_00_00_00_09_01L, 0, true);
        assertThat(t.glean(a, 0x02_00_00_00_09_02L, 1)).isFalse();
        assertThat(t.lookup(a)).isEqualTo(0x02_00_00_00_09_01L);
        int b = Frames.ip(10, 9, 0, 2);
        t.put(b, 0x02_00_00_00_09_03L);
        assertThat(t.glean(b, 0x02_00_00_00_09_04L, 1)).isFalse();
        assertThat(t.lookup(b)).isEqualTo(0x02_00_00_00_09_03L);
        assertThat(t.glean(Frames.ip(10, 9, 0, 3), 0x01_00_5e_00_00_01L, 1)).as("multicast").isFalse();
        assertThat(t.glean(Frames.ip(10, 9, 0, 3), 0, 1)).isFalse();
        assertThat(t.glean(0, 0x02_00_00_00_09_05L, 1)).isFalse();
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
