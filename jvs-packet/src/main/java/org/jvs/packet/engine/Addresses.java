package org.jvs.packet.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Text forms of addresses for messages and nft rules, and the default route's gateway. Cold paths only. */
public final class Addresses {
    private Addresses() {
    }

    public static String ipv4(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

    public static String mac(long m) {
        return HexFormat.ofDelimiter(":").formatHex(new byte[] {(byte) (m >>> 40), (byte) (m >>> 32),
                (byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m});
    }

    /** Dotted IPv4 to an int; IllegalArgumentException names the text when it is not one. */
    public static int parseIpv4(String s) {
        String[] parts = s.strip().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        }
        int a = 0;
        for (String p : parts) {
            int v;
            try {
                v = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            if (v < 0 || v > 255 || p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            a = a << 8 | v;
        }
        return a;
    }

    /**
     * The gateway of the default IPv4 route with the lowest metric in {@code /proc/net/route} text (columns
     * Iface, Destination, Gateway, Flags, RefCnt, Use, Metric, Mask: addresses in hexadecimal, in the host's
     * byte order, little-endian on x86), or 0 when there is none.
     */
    public static int defaultGateway(String procNetRoute) {
        int best = 0;
        long bestMetric = Long.MAX_VALUE;
        for (String line : procNetRoute.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            try {
                int dest = (int) Long.parseLong(f[1], 16);
                int gw = Integer.reverseBytes((int) Long.parseLong(f[2], 16));
                int flags = Integer.parseInt(f[3], 16);
                long metric = Long.parseLong(f[6]);
                int mask = (int) Long.parseLong(f[7], 16);
                boolean up = (flags & 0x1) != 0;
                boolean viaGateway = (flags & 0x2) != 0;
                if (dest == 0 && mask == 0 && up && viaGateway && gw != 0 && metric < bestMetric) {
                    best = gw;
                    bestMetric = metric;
                }
            } catch (NumberFormatException e) {
                // not a route line: skip it
            }
        }
        return best;
    }

    /**
     * {@link #defaultGateway(String)} of the calling thread's network namespace: {@code /proc/thread-self/net/route}
     * ({@code /proc/net} shows the main thread's namespace); 0 when unreadable.
     */
    public static int defaultGateway() {
        try {
            return defaultGateway(Files.readString(Path.of("/proc/thread-self/net/route")));
        } catch (IOException e) {
            return 0;
        }
    }
}
