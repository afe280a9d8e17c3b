package org.jvs.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;

/**
 * Fills an IPv4 connection table with N established connections (default 10 million) and reports bytes
 * per entry two ways: what the table reserves (off-heap slab plus heap bucket arrays) and what the process
 * actually grew by (resident set, and heap after a full GC). Run: {@code bin/jvs conntable-memory [N]}.
 */
public final class ConnTableMemory {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        System.gc();
        long rss0 = rssBytes();
        long heap0 = usedHeap();
        ManualClock clock = new ManualClock();
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(n, 16), clock);
        ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);
        lb.addService(ServiceSpec.of(key, "rr"));
        Dest d = lb.addDest(key, DestSpec.of(IpAddr.parse("10.0.0.1"), 80, ForwardingMethod.DIRECT_ROUTE));
        ConnTable t = lb.connTable(false);
        long start = System.nanoTime();
        for (long i = 0; i < n; i++) {
            long client = 0x0100_0000L + (i >>> 14);
            int port = 1024 + (int) (i & 0x3FFF);
            if (t.insert(6, 0, client, port, 0, 0x0A00_0064L, 80, 0, 0x0A00_0001L, 80, 0, client, port,
                    3, true, d.id(), -1, TcpStateMachine.SYN, false) < 0) {
                throw new IllegalStateException("table full at " + i);
            }
            if ((i + 1) % 1_000_000 == 0) {
                System.err.printf("  %,d entries...%n", i + 1);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.gc();
        long rss1 = rssBytes();
        long heap1 = usedHeap();
        System.out.printf("entries                 %,d (filled in %.1f s, %.0f inserts/s single thread)%n", t.size(), secs, n / secs);
        System.out.printf("slot size               %d bytes (IPv4)%n", t.slotSize());
        System.out.printf("hash buckets            %,d per direction%n", t.buckets());
        System.out.printf("reserved per entry      %.1f bytes (slab + buckets: %,d bytes)%n", (double) t.bytesReserved() / n, t.bytesReserved());
        System.out.printf("process growth / entry  %.1f bytes (RSS %,d -> %,d)%n", (double) (rss1 - rss0) / n, rss0, rss1);
        System.out.printf("heap growth / entry     %.1f bytes (after full GC)%n", (double) (heap1 - heap0) / n);
        System.out.printf("active+inactive on dest %,d%n", d.activeConns() + d.inactiveConns());
        System.out.printf("huge pages in use       %,d bytes (AnonHugePages)%n", anonHugePages());
        lb.close();
    }

    private static long usedHeap() {
        var m = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return m.getUsed();
    }

    private static long anonHugePages() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
