package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.CLIENT_MAC;
import static org.jvs.packet.engine.EngineFixture.FAR_CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.Offload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ten million random and mutated frames through a worker over the in-memory I/O: valid frames of every kind the
 * worker handles (DR and NAT in, NAT replies, UDP, ARP, ICMP errors both ways, first and later fragments, a tagged
 * frame, a packet too big for the link) with bytes flipped, cut short, headers scrambled, random offload metadata
 * beside them, and frames of pure noise. The worker must never throw, must allocate nothing in the measured run,
 * and every received frame must end in exactly one outcome: forwarded, ARP reply, passed to the kernel, or
 * dropped for a counted reason. Seeded, so a failure repeats.
 */
class PacketWorkerFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int FRAMES = 10_000_000;
    private static final int BATCH = 32;

    private final EngineFixture fx = withTunnel(EngineFixture.oneLink(BATCH, false, 1400));
    private final SplittableRandom random = new SplittableRandom(0x4A5653L);
    private final byte[] scratch = new byte[4096];
    private final byte[][] seeds = seeds();

    @AfterEach
    void close() {
        fx.close();
    }

    /** Also a VS/TUN service (GUE with remote checksum offload, to a server beyond the gateway). */
    private static EngineFixture withTunnel(EngineFixture f) {
        var key = new org.jvs.core.model.ServiceKey.Virtual(org.jvs.core.model.Protocol.TCP,
                org.jvs.core.model.IpAddr.v4(TunnelForwardingTest.VIP_TUN), 80);
        f.lb.addService(org.jvs.core.model.ServiceSpec.of(key, "rr").withEngine(org.jvs.core.model.Engine.PACKET));
        f.lb.addDest(key, org.jvs.core.model.DestSpec.of(org.jvs.core.model.IpAddr.v4(TunnelForwardingTest.RS_FAR), 80,
                new org.jvs.core.model.ForwardingMethod.Tunnel(org.jvs.core.model.TunnelType.GUE, 6080,
                        org.jvs.core.model.TunnelChecksum.REMCSUM)));
        f.owned.update(f.lb);
        return f;
    }

    private static byte[][] seeds() {
        byte[] dr = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, ACK, new byte[300]);
        byte[] udp = Frames.udp(OWN_MAC, GATEWAY_MAC, CLIENT, 5353, VIP_NAT, 53, new byte[2000]);
        byte[][] udpFragments = FragmentForwardingTest.fragments(udp, 1200);
        byte[] tagged = new byte[dr.length + 4];
        System.arraycopy(dr, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[15] = 9;
        System.arraycopy(dr, 12, tagged, 16, dr.length - 12);
        return new byte[][] {
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_DR, 80, SYN, new byte[0]),
                dr,
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]),
                Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[100]),
                udpFragments[0],
                udpFragments[1],
                Frames.udp(OWN_MAC, RS2_MAC, RS2, 53, CLIENT, 5353, new byte[40]),
                Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_DR),
                Frames.icmpError(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, VIP_NAT, 3, 4, 1200,
                        Frames.tcp(0, 0, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0])),
                Frames.icmpError(OWN_MAC, RS2_MAC, RS2, CLIENT, 3, 3, 0, Frames.udp(0, 0, CLIENT, 5353, RS2, 53, new byte[8])),
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40002, VIP_NAT, 80, SYN, new byte[1450]),
                tagged,
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40003, TunnelForwardingTest.VIP_TUN, 80, SYN, new byte[0]),
                Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40003, TunnelForwardingTest.VIP_TUN, 80, ACK, new byte[1300]),
        };
    }

    @Test
    void tenMillionMutatedFramesNeverThrowAllocateNothingAndEveryOneIsCounted() {
        run(1_000_000); // warm up: JIT-compile every path
        PacketWorker w = fx.worker;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long done = run(FRAMES);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(done).isEqualTo(FRAMES);
        assertThat(w.received()).isEqualTo(FRAMES + 1_000_000L);
        assertThat(w.forwarded() + w.arpReplies() + w.passed() + w.dropped())
                .as("every frame has one outcome").isEqualTo(w.received());
        // The seeds reach every path, mutated or not.
        assertThat(w.forwardedDr()).isPositive();
        assertThat(w.forwardedNat()).isPositive();
        assertThat(w.forwardedTun()).isPositive();
        assertThat(w.natReplies()).isPositive();
        assertThat(w.icmpForwarded()).isPositive();
        assertThat(w.fragmentsForwarded()).isPositive();
        assertThat(w.tooBig()).isPositive();
        assertThat(w.malformed()).isPositive();
        assertThat(w.passed()).isPositive();
        assertThat(allocated).as("bytes allocated for %d frames", FRAMES).isLessThan(1024);
        System.out.printf("fuzz: %d frames: forwarded %d (dr %d, nat %d, tun %d, replies %d, icmp %d, fragments %d), arp %d,"
                        + " passed %d, dropped %d (malformed %d, too big %d, fragments %d, no conn %d), %d bytes allocated%n",
                FRAMES, w.forwarded(), w.forwardedDr(), w.forwardedNat(), w.forwardedTun(), w.natReplies(), w.icmpForwarded(),
                w.fragmentsForwarded(), w.arpReplies(), w.passed(), w.dropped(), w.malformed(), w.tooBig(),
                w.fragments(), w.noConn(), allocated);
    }

    private long run(int frames) {
        long handled = 0;
        while (handled < frames) {
            while (fx.io.pending() < BATCH) {
                int length = mutate();
                long meta = random.nextInt(8) == 0 ? randomOffload(length) : Offload.NONE;
                fx.io.inject(scratch, 0, length, meta);
            }
            handled += fx.worker.poll();
            fx.io.discardSent();
        }
        return handled;
    }

    /** One frame into {@link #scratch}; returns its length. */
    private int mutate() {
        int kind = random.nextInt(10);
        if (kind == 0) { // noise
            int n = random.nextInt(1, 200);
            for (int i = 0; i < n; i++) {
                scratch[i] = (byte) random.nextInt();
            }
            return n;
        }
        byte[] seed = seeds[random.nextInt(seeds.length)];
        System.arraycopy(seed, 0, scratch, 0, seed.length);
        int length = seed.length;
        switch (kind) {
            case 1, 2 -> { // a few bytes flipped anywhere
                for (int i = random.nextInt(1, 5); i > 0; i--) {
                    scratch[random.nextInt(length)] ^= (byte) random.nextInt(1, 256);
                }
            }
            case 3 -> length = random.nextInt(length); // cut short
            case 4 -> { // a header byte set at random (IHL, lengths, flags, protocol, quoted header)
                scratch[14 + random.nextInt(Math.min(60, length - 14))] = (byte) random.nextInt();
            }
            case 5 -> { // total length and IHL scrambled together
                scratch[14] = (byte) (0x40 | random.nextInt(16));
                scratch[16] = (byte) random.nextInt();
                scratch[17] = (byte) random.nextInt();
            }
            default -> {
                // unchanged: keeps connections, fragment notes and neighbours alive for the mutants
            }
        }
        return length;
    }

    private long randomOffload(int length) {
        int flags = random.nextInt(4);
        int gso = random.nextBoolean() ? Offload.GSO_NONE : Offload.GSO_TCPV4;
        return Offload.of(flags, gso, random.nextInt(1, 2000), random.nextInt(length + 8), random.nextInt(40));
    }
}
