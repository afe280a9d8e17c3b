package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.CLIENT_MAC;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.lang.management.ManagementFactory;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.InMemoryPacketIo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's per-packet path allocates nothing: after warm-up, a million frames (VS/DR data, VS/NAT data in,
 * VS/NAT replies, ARP requests for a VIP, packets for no service, malformed frames) through
 * {@link PacketWorker#poll} must not move this thread's allocated-bytes counter
 * (com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes) by {@link #NOISE_BYTES} or more. The
 * tolerance is for the measurement, not the code: the JVM may charge a one-off object to the thread between
 * the two reads. One byte per packet would be a megabyte.
 *
 * <p>The second case runs two links (clients on one, servers on the other) with next hops resolved by the
 * engine's ARP while the clock moves: NAT in and out across the links, ARP replies refreshing entries, and
 * packets to a server that never answers (rate-limited requests).
 */
class PacketWorkerAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long NOISE_BYTES = 1024;
    private static final int PACKETS = 1_000_000;
    private static final int BATCH = 32;
    private static final java.time.Duration ONE_MILLI = java.time.Duration.ofMillis(1);

    private final EngineFixture fx = EngineFixture.oneLink(BATCH);
    private final InMemoryPacketIo io = fx.io;
    private final byte[][] frames = {
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, SYN, new byte[0]),
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, new byte[100]),
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]),
            Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[0]),
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, ACK, new byte[200]),
            Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, ACK, new byte[1000]),
            Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, new byte[40]),
            Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR),
            Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40002, VIP_DR, 443, SYN, new byte[0]),
            java.util.Arrays.copyOf(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, new byte[0]), 30),
    };

    /** Per frame above: the metadata of an unfinished checksum (TCP and UDP frames), or none. */
    private static final long TCP_UNFINISHED = org.jvs.packet.Offload.of(org.jvs.packet.Offload.F_NEEDS_CSUM, 0, 0, 34, 16);
    private static final long UDP_UNFINISHED = org.jvs.packet.Offload.of(org.jvs.packet.Offload.F_NEEDS_CSUM, 0, 0, 34, 6);
    private final long[] unfinished = {TCP_UNFINISHED, TCP_UNFINISHED, TCP_UNFINISHED, TCP_UNFINISHED, TCP_UNFINISHED,
            TCP_UNFINISHED, UDP_UNFINISHED, 0, TCP_UNFINISHED, 0};
    private final long[] none = new long[frames.length];

    @AfterEach
    void close() {
        fx.close();
    }

    /** ICMP errors of connections both ways (NAT rewriting the quote), beside the packets that made them. */
    @Test
    void icmpErrorsOfConnectionsAllocateNothing() {
        byte[][] set = {
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]),
                Frames.icmpError(OWN_MAC, GATEWAY_MAC, EngineFixture.FAR_CLIENT, VIP_NAT, 3, 4, 1200,
                        Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0])),
                Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, new byte[40]),
                Frames.icmpError(OWN_MAC, RS2_MAC, RS2, CLIENT, 3, 3, 0,
                        Frames.udp(0, 0, CLIENT, 5353, RS2, 53, new byte[40])),
        };
        long[] offloads = new long[set.length];
        run(200_000, set, offloads);
        PacketWorker w = fx.worker;
        long icmp = w.icmpForwarded();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long done = run(PACKETS, set, offloads);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(done).isEqualTo(PACKETS);
        assertThat(w.icmpForwarded() - icmp).isEqualTo(PACKETS / 2);
        assertThat(allocated).as("bytes allocated for %d packets", PACKETS).isLessThan(NOISE_BYTES);
    }

    /**
     * VS/TUN: GUE with a UDP checksum, an unfinished inner checksum finished on the way, and a TSO super-frame cut
     * into segments, each in its own outer packet.
     */
    @Test
    void tunnellingAllocatesNothing() {
        try (EngineFixture tun = TunnelForwardingTest.fixture(new org.jvs.core.model.ForwardingMethod.Tunnel(
                org.jvs.core.model.TunnelType.GUE, 6080, org.jvs.core.model.TunnelChecksum.CSUM), false, 1500)) {
            int vip = TunnelForwardingTest.VIP_TUN;
            byte[][] set = {
                    Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, vip, 80, SYN, new byte[0]),
                    Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, vip, 80, ACK, new byte[200]),
                    Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, vip, 80, ACK, new byte[4000]),
            };
            long[] offloads = {0, TCP_UNFINISHED,
                    org.jvs.packet.Offload.of(org.jvs.packet.Offload.F_NEEDS_CSUM, org.jvs.packet.Offload.GSO_TCPV4, 1400, 34, 16)};
            PacketWorker w = tun.worker;
            runOn(tun, 60_000, set, offloads);
            long forwarded = w.forwardedTun();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long done = runOn(tun, 300_000, set, offloads);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

            assertThat(done).isEqualTo(300_000);
            assertThat(w.forwardedTun() - forwarded).isEqualTo(300_000);
            assertThat(allocated).as("bytes allocated for %d packets", 300_000).isLessThan(NOISE_BYTES);
        }
    }

    /** Frames with unfinished checksums toward an output that carries no metadata: finished in the worker. */
    @Test
    void finishingChecksumsInTheWorkerAllocatesNothing() {
        run(200_000, unfinished);
        PacketWorker w = fx.worker;
        long forwarded = w.forwarded();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long done = run(PACKETS, unfinished);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(done).isEqualTo(PACKETS);
        assertThat(w.forwarded() - forwarded).as("forwarded in the measured run").isEqualTo(PACKETS / 10 * 7);
        assertThat(allocated).as("bytes allocated for %d packets", PACKETS).isLessThan(NOISE_BYTES);
    }

    @Test
    void aMillionPacketsThroughTheWorkerAllocateNothing() {
        run(200_000); // warm up: JIT-compile the loop, create the connections
        PacketWorker w = fx.worker;
        long forwarded = w.forwarded();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long done = run(PACKETS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(done).isEqualTo(PACKETS);
        assertThat(w.forwardedDr()).isPositive();
        assertThat(w.forwardedNat()).isPositive();
        assertThat(w.natReplies()).isPositive();
        assertThat(w.arpReplies()).isPositive();
        assertThat(w.passed()).isPositive();
        assertThat(w.malformed()).isPositive();
        assertThat(w.forwarded() - forwarded).as("forwarded in the measured run").isEqualTo(PACKETS / 10 * 7);
        assertThat(allocated).as("bytes allocated for %d packets", PACKETS).isLessThan(NOISE_BYTES);
    }

    @Test
    void twoLinksWithArpResolutionAllocateNothing() {
        try (EngineFixture two = EngineFixture.twoLinks(BATCH)) {
            byte[][] clientSide = {
                    Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]),
                    Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40001, VIP_NAT, 80, ACK, new byte[200]),
                    Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40002, VIP_DR, 80, SYN, new byte[0]),
                    Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40003, EngineFixture.VIP_NO_NEIGHBOUR, 80, SYN, new byte[0]),
                    Frames.arp(OWN_MAC, CLIENT_MAC, 2, CLIENT_MAC, CLIENT, OWN_MAC, EngineFixture.CLIENT_SIDE_IP),
                    Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_NAT),
            };
            byte[][] serverSide = {
                    Frames.tcp(EngineFixture.OWN_MAC_1, RS2_MAC, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[0]),
                    Frames.tcp(EngineFixture.OWN_MAC_1, RS2_MAC, RS2, 8080, CLIENT, 40001, ACK, new byte[1000]),
            };
            runTwo(two, clientSide, serverSide, 200_000);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long forwarded = two.workers[0].forwarded() + two.workers[1].forwarded();
            long done = runTwo(two, clientSide, serverSide, PACKETS);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

            assertThat(done).isGreaterThanOrEqualTo(PACKETS);
            assertThat(two.workers[0].forwarded() + two.workers[1].forwarded() - forwarded).isPositive();
            assertThat(two.workers[1].natReplies()).isPositive();
            assertThat(two.workers[0].arpRequests()).as("requests for the silent server").isPositive();
            assertThat(two.workers[0].learned()).isPositive();
            assertThat(allocated).as("bytes allocated for %d packets", done).isLessThan(NOISE_BYTES);
        }
    }

    /** Alternates a batch on each link, the clock moving 1 ms per round. */
    private static long runTwo(EngineFixture two, byte[][] clientSide, byte[][] serverSide, int packets) {
        long handled = 0;
        int a = 0;
        int b = 0;
        while (handled < packets) {
            while (two.ios[0].pending() < BATCH) {
                byte[] f = clientSide[a];
                a = a == clientSide.length - 1 ? 0 : a + 1;
                two.ios[0].inject(f, 0, f.length);
            }
            while (two.ios[1].pending() < BATCH) {
                byte[] f = serverSide[b];
                b = b == serverSide.length - 1 ? 0 : b + 1;
                two.ios[1].inject(f, 0, f.length);
            }
            handled += two.workers[0].poll();
            handled += two.workers[1].poll();
            two.ios[0].discardSent();
            two.ios[1].discardSent();
            two.clock.advance(ONE_MILLI);
        }
        return handled;
    }

    private long run(int packets) {
        return run(packets, none);
    }

    private long run(int packets, long[] offloads) {
        return run(packets, frames, offloads);
    }

    private long run(int packets, byte[][] set, long[] offloads) {
        return runOn(fx, packets, set, offloads);
    }

    private static long runOn(EngineFixture f, int packets, byte[][] set, long[] offloads) {
        long handled = 0;
        int next = 0;
        while (handled < packets) {
            while (f.io.pending() < BATCH) {
                f.io.inject(set[next], offloads[next]);
                next = next == set.length - 1 ? 0 : next + 1;
            }
            handled += f.worker.poll();
            f.io.discardSent();
        }
        return handled;
    }
}
