package org.jvs.packet.flood;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jvs.packet.AfPacketIo;
import org.jvs.packet.PacketBatch;

/**
 * A SYN flood as the LVS thesis measured directors with: 40-byte IPv4 SYNs (no options) from random client
 * addresses of a prefix and random ports to a VIP (or a list of addresses, taken in turn), written straight
 * to an interface with AF_PACKET, for a bounded time, at full speed or at a target rate. Run it inside the
 * client's namespace ({@code ip netns exec NS java ... org.jvs.bench.flood.SynFlood ...}); it prints the
 * packets sent each second and a last {@code RESULT} line for scripts.
 *
 * <pre>
 * SynFlood --iface eth0 --dst-mac 02:..:01 --dst 203.0.113.10[,IP...] [--port 80]
 *          [--src-prefix 198.18.0.0/15] [--seconds 10] [--rate PPS, 0 = full speed] [--batch 64]
 * </pre>
 * The default source prefix is 198.18.0.0/15, the range reserved for benchmarks (RFC 2544).
 */
public final class SynFlood {
    record Options(String iface, long dstMac, int[] destinations, int port, int srcBase, int srcMask, int seconds,
            long rate, int batch) {
    }

    private SynFlood() {
    }

    public static void main(String[] args) throws IOException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SynFlood: " + e.getMessage());
            System.exit(2);
            return;
        }
        long srcMac = parseMac(Files.readString(Path.of("/sys/class/net", o.iface(), "address")).strip());
        try (AfPacketIo io = AfPacketIo.open(o.iface(), new AfPacketIo.Options(0, 4 << 20))) {
            run(io, o, srcMac);
        }
    }

    private static void run(AfPacketIo io, Options o, long srcMac) {
        PacketBatch batch = new PacketBatch(o.batch(), SynFrame.LENGTH);
        SynFrame frame = new SynFrame();
        long rnd = System.nanoTime() | 1;
        long start = System.nanoTime();
        long end = start + o.seconds() * 1_000_000_000L;
        long nextReport = start + 1_000_000_000L;
        long sent = 0;
        long refused = 0;
        long sentAtReport = 0;
        int dstIndex = 0;
        int second = 0;
        long now = start;
        while (now < end) {
            for (int i = 0; i < o.batch(); i++) {
                // xorshift64: fast, allocation-free, good enough to spread addresses and ports
                rnd ^= rnd << 13;
                rnd ^= rnd >>> 7;
                rnd ^= rnd << 17;
                int srcIp = o.srcBase() | ((int) rnd & ~o.srcMask());
                int srcPort = 1024 + (int) ((rnd >>> 32) & 0xFFFF) % 64512;
                int dst = o.destinations()[dstIndex];
                dstIndex = dstIndex + 1 == o.destinations().length ? 0 : dstIndex + 1;
                frame.write(batch.segment(), batch.offset(i), srcMac, o.dstMac(), srcIp, srcPort, dst, o.port(),
                        (int) (rnd >>> 16), (int) (rnd >>> 48));
                batch.length(i, SynFrame.LENGTH);
            }
            batch.count(o.batch());
            int n = io.send(batch);
            sent += n;
            refused += o.batch() - n;
            if (n == 0) {
                Thread.onSpinWait();
            }
            now = System.nanoTime();
            if (o.rate() > 0) {
                // pace per batch: sleep until the time at which `sent` packets are due
                long due = start + (long) (sent * 1e9 / o.rate());
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
            }
            if (now >= nextReport) {
                second++;
                System.out.printf("t=%ds sent=%d pps%n", second, sent - sentAtReport);
                sentAtReport = sent;
                nextReport += 1_000_000_000L;
            }
        }
        double secs = (now - start) / 1e9;
        System.out.printf("RESULT sent=%d seconds=%.3f pps=%.0f refused=%d%n", sent, secs, sent / secs, refused);
    }

    static Options parse(String[] args) {
        String iface = null;
        Long dstMac = null;
        int[] dst = null;
        int port = 80;
        String prefix = "198.18.0.0/15";
        int seconds = 10;
        long rate = 0;
        int batch = 64;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--iface" -> iface = v;
                case "--dst-mac" -> dstMac = parseMac(v);
                case "--dst" -> {
                    List<Integer> l = new ArrayList<>();
                    for (String s : v.split(",")) {
                        l.add(parseIpv4(s));
                    }
                    dst = l.stream().mapToInt(Integer::intValue).toArray();
                }
                case "--port" -> port = parseInt(a, v, 1, 65535);
                case "--src-prefix" -> prefix = v;
                case "--seconds" -> seconds = parseInt(a, v, 1, 3600);
                case "--rate" -> rate = parseInt(a, v, 0, Integer.MAX_VALUE);
                case "--batch" -> batch = parseInt(a, v, 1, 1024);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (known: --iface --dst-mac --dst --port --src-prefix --seconds --rate --batch)");
            }
        }
        if (iface == null || dstMac == null || dst == null) {
            throw new IllegalArgumentException("--iface, --dst-mac and --dst are required");
        }
        int slash = prefix.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--src-prefix " + prefix + ": expected ADDRESS/LENGTH");
        }
        int len = parseInt("--src-prefix length", prefix.substring(slash + 1), 0, 32);
        int mask = len == 0 ? 0 : -1 << (32 - len);
        int base = parseIpv4(prefix.substring(0, slash)) & mask;
        return new Options(iface, dstMac, dst, port, base, mask, seconds, rate, batch);
    }

    private static int parseInt(String what, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " " + v + ": out of range " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " " + v + ": not a number");
        }
    }

    static int parseIpv4(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        }
        int a = 0;
        for (String part : p) {
            int b;
            try {
                b = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            a = a << 8 | b;
        }
        return a;
    }

    static long parseMac(String s) {
        if (!s.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
            throw new IllegalArgumentException("'" + s + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        return Long.parseLong(s.replace(":", ""), 16);
    }
}
