package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AfPacketIo}'s offload metadata and VLAN tags against a real kernel, on a veth pair with the kernel's default
 * offloads ({@link NetnsPair}): what a forwarder receives from a veth as Docker and Kubernetes make them, and what
 * the kernel does with what it sends. Root only (CI runs as root); every wait is bounded.
 */
class AfPacketIoOffloadTest {
    private static final int BIG_FRAME = 65_568;
    private static final int SRC = 0xC6336401;   // 198.51.100.1
    private static final int DST = 0xCB00710A;   // 203.0.113.10
    private static final int TEST_TYPE = 0x88B5;

    private NetnsPair net;
    private long macA;
    private long macB;

    @BeforeEach
    void setUp() {
        net = NetnsPair.create();
        macA = NetnsPair.mac(net.nsA, net.ifA);
        macB = NetnsPair.mac(net.nsB, net.ifB);
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private AfPacketIo open(String ns, String ifname, boolean metadata) {
        return NetnsPair.inNamespace(ns, () -> AfPacketIo.open(ifname,
                AfPacketIo.Options.DEFAULTS.withOffloadMetadata(metadata)));
    }

    @Test
    void aTaggedFrameComesBackWithItsTagWhereAPlainSocketSeesItUntagged() {
        byte[] tagged = new byte[64];
        MemorySegment s = MemorySegment.ofArray(tagged);
        new EthernetFrame().wrap(s, 0).destination(macB).source(macA).outerType(EthernetFrame.TYPE_VLAN);
        Net.u16(s, 14, 0x2000 | 42);      // priority 1, VLAN 42
        Net.u16(s, 16, TEST_TYPE);
        for (int i = 18; i < tagged.length; i++) {
            tagged[i] = (byte) i;
        }
        try (AfPacketIo a = open(net.nsA, net.ifA, false);
             AfPacketIo plain = open(net.nsB, net.ifB, false);
             AfPacketIo restoring = open(net.nsB, net.ifB, true)) {
            PacketBatch out = new PacketBatch(1, 2048);
            out.add(s, 0, tagged.length);
            assertThat(a.send(out)).isEqualTo(1);

            byte[] seenPlain = receiveOne(plain, f -> f.length > 13 && u16(f, 12) == TEST_TYPE);
            byte[] seenRestored = receiveOne(restoring, f -> f.length > 17 && u16(f, 16) == TEST_TYPE);

            // The kernel takes the tag off every frame before the taps see it (and reports it beside the frame).
            assertThat(seenPlain).as("a plain socket: the tag is gone").hasSize(tagged.length - 4);
            assertThat(seenRestored).as("with offload metadata: the frame as it was on the wire").isEqualTo(tagged);
            assertThat(restoring.vlanRestoredTotal()).isEqualTo(1);
        }
    }

    @Test
    void anUnfinishedChecksumCrossesTheVethMarkedAndTheKernelFinishesItWhenTheDeviceCannot() {
        byte[] frame = udpWithUnfinishedChecksum();
        long meta = Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 34, UdpHeader.CHECKSUM_OFFSET);
        try (AfPacketIo a = open(net.nsA, net.ifA, true); AfPacketIo b = open(net.nsB, net.ifB, true)) {
            Received got = sendAndReceive(a, b, frame, meta, 1).getFirst();
            // Default offloads: nothing on the way finished it; the receiver is told, as the sender's kernel would be.
            assertThat(Offload.needsChecksum(got.meta)).isTrue();
            assertThat(Offload.csumStart(got.meta)).isEqualTo(34);
            assertThat(Offload.csumOffset(got.meta)).isEqualTo(UdpHeader.CHECKSUM_OFFSET);
            assertThat(got.bytes).isEqualTo(frame);

            NetnsPair.ip("netns", "exec", net.nsA, "ethtool", "-K", net.ifA, "tx", "off");
            Received finished = sendAndReceive(a, b, frame, meta, 1).getFirst();
            // No checksum offload on the way out: the kernel finished it in software, as Offload.complete would.
            assertThat(Offload.needsChecksum(finished.meta)).isFalse();
            byte[] expected = frame.clone();
            assertThat(Offload.complete(MemorySegment.ofArray(expected), 0, expected.length, meta)).isTrue();
            assertThat(finished.bytes).isEqualTo(expected);
            long pseudo = Checksum.pseudoV4(SRC, DST, IpProtocol.UDP, expected.length - 34);
            assertThat(Checksum.finish(Checksum.sum(MemorySegment.ofArray(expected), 34, expected.length - 34, pseudo)))
                    .as("the finished UDP checksum verifies").isZero();
        }
    }

    @Test
    void aSuperFrameCrossesWholeWithTsoAndIsCutIntoSegmentsWithout() {
        int mss = 1448;
        byte[] payload = new byte[14 * mss];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        byte[] frame = new byte[14 + 20 + 20 + payload.length];
        MemorySegment s = MemorySegment.ofArray(frame);
        int len = Build.ipv4(s, IpProtocol.TCP, SRC, 40000, DST, 80, payload, 0, true);
        assertThat(len).isEqualTo(frame.length);
        new EthernetFrame().wrap(s, 0).destination(macB).source(macA);
        Net.u16(s, 34 + TcpHeader.CHECKSUM_OFFSET, Checksum.fold(Checksum.pseudoV4(SRC, DST, IpProtocol.TCP, 20 + payload.length)));
        long meta = Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, mss, 34, TcpHeader.CHECKSUM_OFFSET);
        try (AfPacketIo a = open(net.nsA, net.ifA, true); AfPacketIo b = open(net.nsB, net.ifB, true)) {
            Received whole = sendAndReceive(a, b, frame, meta, 1).getFirst();
            assertThat(whole.bytes).as("one frame of %d bytes", frame.length).isEqualTo(frame);
            assertThat(Offload.gsoType(whole.meta)).isEqualTo(Offload.GSO_TCPV4);
            assertThat(Offload.gsoSize(whole.meta)).isEqualTo(mss);

            NetnsPair.ip("netns", "exec", net.nsA, "ethtool", "-K", net.ifA, "tx", "off");
            List<Received> segments = sendAndReceive(a, b, frame, meta, 14);
            assertThat(segments).hasSize(14);
            int at = 0;
            for (Received r : segments) {
                assertThat(r.bytes.length).isEqualTo(14 + 20 + 20 + mss);
                assertThat(Offload.segmented(r.meta)).isFalse();
                MemorySegment seg = MemorySegment.ofArray(r.bytes);
                assertThat(Checksum.checksum(seg, 14, 20)).as("IPv4 header checksum").isZero();
                long pseudo = Checksum.pseudoV4(SRC, DST, IpProtocol.TCP, 20 + mss);
                assertThat(Checksum.finish(Checksum.sum(seg, 34, 20 + mss, pseudo))).as("TCP checksum").isZero();
                assertThat(Arrays.copyOfRange(r.bytes, 54, r.bytes.length))
                        .isEqualTo(Arrays.copyOfRange(payload, at, at + mss));
                at += mss;
            }
        }
    }

    /**
     * What a real NIC's default GRO hands a forwarder (here a veth with GRO on, the sender without TSO, so the
     * merging is the receiver's): TCP super-frames marked as TSO ones are, the checksum unfinished and the segment
     * size given, so the engine's one path carries both.
     */
    @Test
    void groSuperFramesArriveMarkedLikeTsoOnes() throws Exception {
        NetnsPair.ip("netns", "exec", net.nsA, "ethtool", "-K", net.ifA, "tx", "off");
        NetnsPair.ip("netns", "exec", net.nsB, "ethtool", "-K", net.ifB, "gro", "on");
        NetnsPair.ip("-n", net.nsA, "addr", "add", "10.9.0.1/24", "dev", net.ifA);
        NetnsPair.ip("-n", net.nsB, "addr", "add", "10.9.0.2/24", "dev", net.ifB);
        try (AfPacketIo b = open(net.nsB, net.ifB, true);
             java.net.ServerSocket server = NetnsPair.inNamespace(net.nsB,
                     () -> new java.net.ServerSocket(5000, 1, java.net.InetAddress.getByName("10.9.0.2")))) {
            Thread sink = Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket c = server.accept()) {
                    c.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // the test ends the stream
                }
            });
            java.net.Socket client = NetnsPair.inNamespace(net.nsA, () -> {
                java.net.Socket c = new java.net.Socket();
                c.connect(new java.net.InetSocketAddress("10.9.0.2", 5000), 5000);
                return c;
            });
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try (client) {
                    client.getOutputStream().write(new byte[8 << 20]);
                } catch (java.io.IOException ignored) {
                    // reported by the assertions below if nothing arrived
                }
            });
            PacketBatch in = new PacketBatch(32, BIG_FRAME);
            long merged = 0;
            long meta = Offload.NONE;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (merged == 0 && System.nanoTime() < deadline) {
                int c = b.receive(in, 100);
                for (int i = 0; i < c; i++) {
                    if (in.length(i) > 1514) {
                        merged++;
                        meta = in.offload(i);
                    }
                }
            }
            writer.join(10_000);
            sink.join(10_000);
            assertThat(merged).as("GRO merged segments").isPositive();
            assertThat(Offload.needsChecksum(meta)).as("checksum unfinished, as TSO's").isTrue();
            assertThat(Offload.gsoType(meta) & ~Offload.GSO_ECN).isEqualTo(Offload.GSO_TCPV4);
            assertThat(Offload.gsoSize(meta)).isEqualTo(1448);
            assertThat(Offload.csumStart(meta)).isEqualTo(34);
        }
    }

    /**
     * Sending with metadata and receiving with metadata and tags put back allocate nothing: 5 000 round trips of 8
     * frames (half of them tagged, every one with an unfinished checksum) move the thread's allocated bytes by
     * less than the measurement's own noise.
     */
    @Test
    void metadataAndTagsBothWaysAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] plain = udpWithUnfinishedChecksum();
        byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = 0;
        tagged[15] = 7;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
        long meta = Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 34, UdpHeader.CHECKSUM_OFFSET);
        long metaTagged = Offload.shifted(meta, 4);
        try (AfPacketIo a = open(net.nsA, net.ifA, true); AfPacketIo b = open(net.nsB, net.ifB, true)) {
            PacketBatch out = new PacketBatch(8, 2048);
            for (int i = 0; i < 8; i++) {
                byte[] f = i % 2 == 0 ? plain : tagged;
                out.add(MemorySegment.ofArray(f), 0, f.length, i % 2 == 0 ? meta : metaTagged);
            }
            PacketBatch in = new PacketBatch(32, 2048);
            roundTrips(a, b, out, in, 20_000); // warm up: JIT-compile the loop and the downcall stubs
            long before = threads.getCurrentThreadAllocatedBytes();
            long got = roundTrips(a, b, out, in, 5_000);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertThat(got).isEqualTo(5_000L * 8);
            assertThat(allocated).isLessThan(1024);
            assertThat(b.vlanRestoredTotal()).isGreaterThanOrEqualTo(25_000L * 4);
        }
    }

    /** Frames from A that B received (every one checked for its metadata); fails on a wait of 2 s ending empty. */
    private long roundTrips(AfPacketIo a, AfPacketIo b, PacketBatch out, PacketBatch in, int n) {
        long got = 0;
        for (int r = 0; r < n; r++) {
            if (a.send(out) != out.count()) {
                throw new AssertionError("A's send took fewer frames");
            }
            int here = 0;
            while (here < out.count()) {
                int c = b.receive(in, 2000);
                if (c == 0) {
                    throw new AssertionError("B: nothing within 2 s in round trip " + r);
                }
                for (int i = 0; i < c; i++) {
                    if (in.length(i) > 34 && Offload.needsChecksum(in.offload(i))) {
                        here++;
                    }
                }
            }
            got += here;
        }
        return got;
    }

    private byte[] udpWithUnfinishedChecksum() {
        byte[] payload = "an unfinished checksum".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] frame = new byte[14 + 20 + 8 + payload.length];
        MemorySegment s = MemorySegment.ofArray(frame);
        Build.ipv4(s, IpProtocol.UDP, SRC, 40000, DST, 53, payload, 0, true);
        new EthernetFrame().wrap(s, 0).destination(macB).source(macA);
        // What a sender's kernel leaves with checksum offload: the pseudo-header sum, uncomplemented.
        Net.u16(s, 34 + UdpHeader.CHECKSUM_OFFSET, Checksum.fold(Checksum.pseudoV4(SRC, DST, IpProtocol.UDP, 8 + payload.length)));
        return frame;
    }

    record Received(byte[] bytes, long meta) {
    }

    /** Sends {@code frame} with {@code meta} from A and collects the first {@code n} IPv4 frames from A at B. */
    private List<Received> sendAndReceive(AfPacketIo a, AfPacketIo b, byte[] frame, long meta, int n) {
        PacketBatch out = new PacketBatch(1, BIG_FRAME);
        out.add(MemorySegment.ofArray(frame), 0, frame.length, meta);
        assertThat(a.send(out)).isEqualTo(1);
        PacketBatch in = new PacketBatch(16, BIG_FRAME);
        List<Received> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < n && System.nanoTime() < deadline) {
            int c = b.receive(in, 100);
            for (int i = 0; i < c; i++) {
                byte[] f = in.frame(i).toArray(ValueLayout.JAVA_BYTE);
                if (f.length > 34 && u16(f, 12) == EthernetFrame.TYPE_IPV4 && mac(f, 6) == macA) {
                    got.add(new Received(f, in.offload(i)));
                }
            }
        }
        return got;
    }

    private static byte[] receiveOne(AfPacketIo io, java.util.function.Predicate<byte[]> wanted) {
        PacketBatch in = new PacketBatch(16, 2048);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int c = io.receive(in, 100);
            for (int i = 0; i < c; i++) {
                byte[] f = in.frame(i).toArray(ValueLayout.JAVA_BYTE);
                if (wanted.test(f)) {
                    return f;
                }
            }
        }
        throw new AssertionError("no such frame within 5 s");
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xFF) << 8 | f[at + 1] & 0xFF;
    }

    private static long mac(byte[] f, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | f[at + i] & 0xFF;
        }
        return m;
    }
}
