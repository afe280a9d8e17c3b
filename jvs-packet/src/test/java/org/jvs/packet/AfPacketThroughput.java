package org.jvs.packet;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rough measurement, not a test (no assertions, not run by the build): frames per second through a veth
 * pair between two throwaway namespaces, one thread sending batches on one end, another receiving on the
 * other. Needs root. Run after {@code mvn -pl jvs-packet -am test-compile}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp jvs-packet/target/classes:jvs-packet/target/test-classes:jvs-core/target/classes \
 *   org.jvs.packet.AfPacketThroughput [batch=32] [frameBytes=64] [seconds=3]
 * </pre>
 *
 * The figure depends on the machine, the kernel and whatever else runs; it says where the system-call path
 * stands before the TPACKET_V3 ring, no more.
 */
public final class AfPacketThroughput {
    private AfPacketThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int frameBytes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        AfPacketIo.Options options = new AfPacketIo.Options(8 << 20, 0);
        try (NetnsPair net = NetnsPair.create();
             AfPacketIo a = NetnsPair.inNamespace(net.nsA, () -> AfPacketIo.open(net.ifA, options));
             AfPacketIo b = NetnsPair.inNamespace(net.nsB, () -> AfPacketIo.open(net.ifB, options))) {
            long macA = NetnsPair.mac(net.nsA, net.ifA);
            long macB = NetnsPair.mac(net.nsB, net.ifB);
            PacketBatch out = new PacketBatch(batchSize, 2048);
            for (int i = 0; i < batchSize; i++) {
                byte[] f = AfPacketIoTest.frame(macB, macA, i, frameBytes);
                out.add(MemorySegment.ofArray(f), 0, f.length);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            Thread receiver = Thread.ofPlatform().name("rx").start(() -> {
                PacketBatch in = new PacketBatch(64, 2048);
                while (!stop.get()) {
                    received.addAndGet(b.receive(in, 100));
                }
                int n;
                while ((n = b.receive(in, 100)) > 0) {
                    received.addAndGet(n);
                }
            });
            long sent = 0;
            long refused = 0;
            long receivedBefore = 0;
            // warm-up second, then the measured run
            for (int phase = 0; phase < 2; phase++) {
                long until = System.nanoTime() + (phase == 0 ? 1 : seconds) * 1_000_000_000L;
                if (phase == 1) {
                    sent = 0;
                    refused = 0;
                    receivedBefore = received.get(); // includes the warm-up's backlog: a rough figure
                }
                long t0 = System.nanoTime();
                while (System.nanoTime() < until) {
                    int s = a.send(out);
                    sent += s;
                    refused += batchSize - s;
                    if (s == 0) {
                        Thread.onSpinWait();
                    }
                }
                if (phase == 1) {
                    stop.set(true);
                    receiver.join();
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long got = received.get() - receivedBefore;
                    System.out.printf("batch %d, %d-byte frames, %.1f s: sent %.0f frames/s, received %.0f frames/s"
                            + " (%d refused by a full queue, %d lost)%n", batchSize, frameBytes, secs,
                            sent / secs, got / secs, refused, Math.max(0, sent - got));
                }
            }
        }
    }
}
