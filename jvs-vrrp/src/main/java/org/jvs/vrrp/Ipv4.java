package org.jvs.vrrp;

/** IPv4 addresses as ints (192.0.2.1 = 0xC0000201): parsing, formatting, unsigned comparison. */
public final class Ipv4 {
    private Ipv4() {
    }

    /** Parses dotted-quad text; throws IllegalArgumentException naming the text. */
    public static int parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no IPv4 address");
        }
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (A.B.C.D)");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (A.B.C.D)");
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (each part 0-255)");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    /** Unsigned comparison, as the RFC's "primary IP address is higher" means. */
    public static int compare(int a, int b) {
        return Integer.compareUnsigned(a, b);
    }

    public static boolean isMulticast(int a) {
        return (a >>> 28) == 0xE;
    }
}
