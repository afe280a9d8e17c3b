package org.jvs.core.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as two longs, the form the data plane hashes and compares without objects.
 * IPv4 addresses keep {@code hi == 0} and the address in the low 32 bits of {@code lo}, so an IPv4 value is
 * also the int the packet carries. Parsing accepts numeric literals only: a director never resolves names
 * on a control path that must not block.
 */
public record IpAddr(long hi, long lo, boolean v6) implements Comparable<IpAddr> {

    public IpAddr {
        if (!v6 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address must fit 32 bits");
        }
    }

    public static IpAddr v4(int address) {
        return new IpAddr(0, address & 0xFFFF_FFFFL, false);
    }

    public static IpAddr v6(long hi, long lo) {
        return new IpAddr(hi, lo, true);
    }

    /** Parses a numeric IPv4 or IPv6 literal (brackets allowed for IPv6); rejects host names. */
    public static IpAddr parse(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || !(s.indexOf(':') >= 0 || isDottedQuad(s))) {
            throw new ConfigException("not a numeric IP address: '" + text + "'");
        }
        try {
            return of(InetAddress.ofLiteral(s));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("not a numeric IP address: '" + text + "'");
        }
    }

    private static boolean isDottedQuad(String s) {
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    public static IpAddr of(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return v4(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        return v6(hi, lo);
    }

    /** The IPv4 address as the int a packet carries (network order read as a big-endian int). */
    public int v4Int() {
        if (v6) {
            throw new IllegalStateException("not an IPv4 address: " + this);
        }
        return (int) lo;
    }

    /** Address bits for this family: 32 or 128. */
    public int bits() {
        return v6 ? 128 : 32;
    }

    /** This address with all but the first {@code prefix} bits cleared (persistence netmask, gs prefixes). */
    public IpAddr mask(int prefix) {
        if (prefix < 0 || prefix > bits()) {
            throw new ConfigException("prefix length " + prefix + " out of range 0.." + bits());
        }
        if (!v6) {
            long m = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
            return new IpAddr(0, lo & m, false);
        }
        return new IpAddr(hi & maskHi(prefix), lo & maskLo(prefix), true);
    }

    /** High 64 bits of an IPv6 netmask of {@code prefix} bits. */
    public static long maskHi(int prefix) {
        return prefix <= 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    /** Low 64 bits of an IPv6 netmask of {@code prefix} bits. */
    public static long maskLo(int prefix) {
        return prefix <= 64 ? 0 : prefix >= 128 ? -1L : -1L << (128 - prefix);
    }

    public InetAddress toInetAddress() {
        byte[] b = new byte[v6 ? 16 : 4];
        if (v6) {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[i + 8] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (lo >>> (24 - 8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Canonical text: dotted quad, or RFC 5952 compressed IPv6 without brackets. */
    @Override
    public String toString() {
        if (!v6) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] w = new int[8];
        for (int i = 0; i < 4; i++) {
            w[i] = (int) ((hi >>> (48 - 16 * i)) & 0xFFFF);
            w[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    /** Address and port as ipvsadm prints them: {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. */
    public String withPort(int port) {
        return v6 ? "[" + this + "]:" + port : this + ":" + port;
    }

    @Override
    public int compareTo(IpAddr o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }
}
