package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AfPacketIo} against a real kernel: two namespaces of the test's own joined by a veth pair
 * ({@link NetnsPair}), one socket per end. Runs as root (CI does) and is not skipped otherwise: without root
 * the fixture fails, loudly. Frames carry the local experimental EtherType 0x88B5 and the receiving side
 * ignores anything else. Every wait is bounded.
 */
class AfPacketIoTest {
    private static final int TEST_TYPE = 0x88B5;
    private static final int FRAME_SIZE = 2048;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Slack for the measurement (an MXBean helper, a class initialised between the reads), not for the code. */
    private static final long NOISE_BYTES = 1024;

    private NetnsPair net;
    private AfPacketIo a;
    private AfPacketIo b;
    private long macA;
    private long macB;

    @BeforeEach
    void setUp() {
        net = NetnsPair.create();
        a = NetnsPair.inNamespace(net.nsA, () -> AfPacketIo.open(net.ifA));
        b = NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open(net.ifB));
        macA = NetnsPair.mac(net.nsA, net.ifA);
        macB = NetnsPair.mac(net.nsB, net.ifB);
    }

    @AfterEach
    void tearDown() {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            if (net != null) { // null when create() failed, having cleaned up after itself
                net.close();
            }
        }
    }

    @Test
    void aBatchSentOnOneEndArrivesIntactOnTheOther() {
        int n = 32;
        PacketBatch out = new PacketBatch(n, FRAME_SIZE);
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] f = frame(macB, macA, i, 60 + (i * 47) % 1455); // 60 .. 1514 bytes
            expected.add(f);
            out.add(MemorySegment.ofArray(f), 0, f.length);
        }

        assertThat(a.send(out)).isEqualTo(n);
        List<byte[]> got = receiveTestFrames(b, n);

        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).as("frame %d", i).isEqualTo(expected.get(i));
        }
        assertThat(a.sentTotal()).isEqualTo(n);
        assertThat(b.receivedTotal()).isGreaterThanOrEqualTo(n);
        assertThat(b.truncatedTotal()).isZero();
        if (a.ignoresOwnTransmissions()) {
            assertThat(receiveTestFrames(a, 1, 100)).as("the sender does not read its own frames").isEmpty();
        }
    }

    /**
     * Two sockets on B's end in one {@code PACKET_FANOUT_HASH} group: 16 UDP flows of 4 frames each arrive,
     * every frame once, each flow on one socket only, and both sockets get some (16 flows all hashing to one
     * of two sockets would happen once in 32,768 runs).
     */
    @Test
    void aFanoutGroupKeepsEachFlowOnOneSocket() {
        AfPacketIo.Options fanout = AfPacketIo.Options.DEFAULTS.withFanoutGroup(0x4A56);
        int flows = 16;
        int perFlow = 4;
        try (AfPacketIo b1 = NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open(net.ifB, fanout));
             AfPacketIo b2 = NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open(net.ifB, fanout))) {
            PacketBatch out = new PacketBatch(flows * perFlow, FRAME_SIZE);
            MemorySegment s = MemorySegment.ofArray(new byte[256]);
            for (int j = 0; j < perFlow; j++) {
                for (int f = 0; f < flows; f++) {
                    int n = Build.ipv4(s, IpProtocol.UDP, 0xC0000207, 40000 + f, 0x0A000064, 53, new byte[18], 0, true);
                    out.add(s, 0, n);
                }
            }
            assertThat(a.send(out)).isEqualTo(flows * perFlow);

            java.util.Map<Integer, java.util.Set<Integer>> socketsOfFlow = new java.util.TreeMap<>();
            int[] perSocket = new int[2];
            PacketBatch in = new PacketBatch(64, FRAME_SIZE);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (perSocket[0] + perSocket[1] < flows * perFlow && System.nanoTime() < deadline) {
                for (int k = 0; k < 2; k++) {
                    int c = (k == 0 ? b1 : b2).receive(in, 50);
                    for (int i = 0; i < c; i++) {
                        long o = in.offset(i);
                        if (in.length(i) >= 42 && Net.u16(in.segment(), o + 12) == EthernetFrame.TYPE_IPV4
                                && Net.u16(in.segment(), o + 36) == 53) {
                            socketsOfFlow.computeIfAbsent(Net.u16(in.segment(), o + 34),
                                    x -> new java.util.TreeSet<>()).add(k);
                            perSocket[k]++;
                        }
                    }
                }
            }
            assertThat(perSocket[0] + perSocket[1]).isEqualTo(flows * perFlow);
            assertThat(socketsOfFlow).hasSize(flows);
            assertThat(socketsOfFlow.values()).allSatisfy(k -> assertThat(k).hasSize(1));
            assertThat(perSocket[0]).isPositive();
            assertThat(perSocket[1]).isPositive();
        }
    }

    @Test
    void joiningAFanoutGroupOfAnotherInterfaceIsAClearError() {
        AfPacketIo.Options fanout = AfPacketIo.Options.DEFAULTS.withFanoutGroup(7);
        NetnsPair.ip("-n", net.nsB, "link", "set", "lo", "up"); // a running socket on lo, or the kernel refuses for that
        try (AfPacketIo first = NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open(net.ifB, fanout))) {
            Throwable t = catchThrowable(() -> NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open("lo", fanout)));
            assertThat(t).isInstanceOf(PacketIoException.class)
                    .hasMessageStartingWith("AF_PACKET fanout group 7 on lo: ")
                    .hasMessageEndingWith("Invalid argument (EINVAL): the group exists with another mode or on another"
                            + " interface");
        }
    }

    @Test
    void framesLongerThanTheSlotAreCutAndCounted() {
        PacketBatch out = new PacketBatch(1, FRAME_SIZE);
        byte[] f = frame(macB, macA, 7, 1000);
        out.add(MemorySegment.ofArray(f), 0, f.length);
        assertThat(a.send(out)).isEqualTo(1);

        PacketBatch small = new PacketBatch(4, 200);
        assertThat(b.receive(small, 2000)).isEqualTo(1);
        assertThat(small.length(0)).isEqualTo(200);
        assertThat(small.frame(0).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(java.util.Arrays.copyOf(f, 200));
        assertThat(b.truncatedTotal()).isEqualTo(1);
    }

    @Test
    void receiveWithNothingWaitingReturnsZeroAndDoesNotHang() {
        PacketBatch in = new PacketBatch(8, FRAME_SIZE);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(b.receive(in)).isZero();
            long t0 = System.nanoTime();
            assertThat(b.receive(in, 200)).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        });
        assertThat(in.count()).isZero();
    }

    @Test
    void anUnknownInterfaceIsAClearError() {
        Throwable t = catchThrowable(() -> NetnsPair.inNamespace(net.nsA, () -> AfPacketIo.open("jvsnosuch0")));
        assertThat(t).isInstanceOf(PacketIoException.class)
                .hasMessageContaining("'jvsnosuch0'")
                .hasMessageContaining("No such device (ENODEV)")
                .hasMessageContaining("no network interface of that name");
        assertThat(((PacketIoException) t).errno()).isEqualTo(19);
        assertThat(((PacketIoException) t).errnoName()).isEqualTo("ENODEV");

        assertThatThrownBy(() -> AfPacketIo.open("a-name-much-too-long-for-linux"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 15 bytes");
        assertThatThrownBy(() -> AfPacketIo.open("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutCapNetRawOpeningExplainsWhy() {
        Throwable t = catchThrowable(() -> NetnsPair.inNamespace(net.nsA, () -> {
            ThreadCaps.dropEffective(ThreadCaps.CAP_NET_RAW); // this throwaway thread only
            return AfPacketIo.open(net.ifA);
        }));
        assertThat(t).isInstanceOf(PacketIoException.class)
                .hasMessage("AF_PACKET socket: Operation not permitted (EPERM): JVS's packet engine needs"
                        + " CAP_NET_RAW; run as root or grant the capability");
        assertThat(((PacketIoException) t).errno()).isEqualTo(1);
    }

    @Test
    void sendingAFrameShorterThanItsLinkHeaderReportsErrno() {
        PacketBatch out = new PacketBatch(1, FRAME_SIZE);
        out.add(MemorySegment.ofArray(new byte[6]), 0, 6);
        Throwable t = catchThrowable(() -> a.send(out));
        assertThat(t).isInstanceOf(PacketIoException.class)
                .hasMessageStartingWith("AF_PACKET send on " + net.ifA + ": Invalid argument (EINVAL)");
    }

    @Test
    void closedSocketsRefuseAndCloseTwiceIsHarmless() {
        a.close();
        a.close();
        assertThat(a.isOpen()).isFalse();
        assertThatThrownBy(() -> a.receive(new PacketBatch(1, 64))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /**
     * 10,000 round trips (A sends 8 frames, B receives and echoes them, A receives them) after a warm-up
     * allocate nothing on this thread: the thread's allocated-bytes counter moves by less than
     * {@link #NOISE_BYTES}. One byte per round trip would be 10 KB.
     */
    @Test
    void roundTripsAllocateNothing() {
        int k = 8;
        PacketBatch txA = new PacketBatch(k, FRAME_SIZE);
        for (int i = 0; i < k; i++) {
            byte[] f = frame(macB, macA, i, 100 + i);
            txA.add(MemorySegment.ofArray(f), 0, f.length);
        }
        PacketBatch rxA = new PacketBatch(32, FRAME_SIZE);
        PacketBatch rxB = new PacketBatch(32, FRAME_SIZE);

        roundTrips(20_000, k, txA, rxA, rxB); // warm up: JIT-compile the loop and the downcall stubs
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long frames = roundTrips(10_000, k, txA, rxA, rxB);
        long nanos = System.nanoTime() - t0;
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(frames).isEqualTo(10_000L * k);
        assertThat(allocated).as("bytes allocated in 10,000 round trips").isLessThan(NOISE_BYTES);
        System.out.printf("AfPacketIo: 10,000 round trips of %d frames over veth in %.0f ms (%.1f us each;"
                + " rough, single machine), %d bytes allocated%n", k, nanos / 1e6, nanos / 1e3 / 10_000, allocated);
    }

    /** Frames A got back; fails (allocating, but only then) when a wait of 2 s ends empty. */
    private long roundTrips(int n, int k, PacketBatch txA, PacketBatch rxA, PacketBatch rxB) {
        long back = 0;
        for (int r = 0; r < n; r++) {
            if (a.send(txA) != k) {
                throw new AssertionError("A's send took fewer than " + k + " frames");
            }
            int atB = 0;
            while (atB < k) {
                int got = b.receive(rxB, 2000);
                if (got == 0) {
                    throw new AssertionError("B: nothing within 2 s in round trip " + r);
                }
                atB += testFrames(rxB);
                if (b.send(rxB) != got) {
                    throw new AssertionError("B's echo was refused");
                }
            }
            int atA = 0;
            while (atA < k) {
                if (a.receive(rxA, 2000) == 0) {
                    throw new AssertionError("A: nothing within 2 s in round trip " + r);
                }
                atA += testFrames(rxA);
            }
            back += atA;
        }
        return back;
    }

    private static int testFrames(PacketBatch batch) {
        int n = 0;
        for (int i = 0; i < batch.count(); i++) {
            if (batch.length(i) >= 14 && Net.u16(batch.segment(), batch.offset(i) + 12) == TEST_TYPE) {
                n++;
            }
        }
        return n;
    }

    private static List<byte[]> receiveTestFrames(AfPacketIo io, int n) {
        return receiveTestFrames(io, n, 5000);
    }

    /** Up to {@code n} frames of the test EtherType, waiting at most {@code millis} in all. */
    private static List<byte[]> receiveTestFrames(AfPacketIo io, int n, long millis) {
        PacketBatch in = new PacketBatch(64, FRAME_SIZE);
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (got.size() < n && System.nanoTime() < deadline) {
            int c = io.receive(in, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            for (int i = 0; i < c; i++) {
                byte[] f = in.frame(i).toArray(ValueLayout.JAVA_BYTE);
                if (f.length >= 14 && ((f[12] & 0xFF) << 8 | (f[13] & 0xFF)) == TEST_TYPE) {
                    got.add(f);
                }
            }
        }
        return got;
    }

    /** An Ethernet frame of {@code length} bytes: the test EtherType, the sequence number, then a pattern. */
    static byte[] frame(long dst, long src, int seq, int length) {
        byte[] f = new byte[length];
        MemorySegment s = MemorySegment.ofArray(f);
        new EthernetFrame().wrap(s, 0).destination(dst).source(src).outerType(TEST_TYPE);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 14, seq);
        for (int i = 18; i < length; i++) {
            f[i] = (byte) (seq * 31 + i);
        }
        return f;
    }
}
