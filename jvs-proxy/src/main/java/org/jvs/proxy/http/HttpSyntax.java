package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/** RFC 9110/9112 character classes as lookup tables: one array read per byte on the parsing path. */
final class HttpSyntax {

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];
    private static final boolean[] HOST = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            boolean alnum = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            TCHAR[c] = alnum || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            // field-vchar / SP / HTAB, with obs-text (0x80-0xFF) tolerated as RFC 9110 5.5 allows
            FIELD_VALUE[c] = c == ' ' || c == '\t' || c >= 0x21 && c != 0x7F;
            // a request target is visible ASCII; anything else (SP, controls, DEL, 8-bit) is refused
            TARGET[c] = c >= 0x21 && c <= 0x7E;
            // reg-name / IP-literal / port: unreserved, sub-delims, '%', ':' and the IPv6 brackets
            HOST[c] = alnum || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
        }
    }

    private HttpSyntax() {
    }

    static boolean tchar(int b) {
        return TCHAR[b & 0xFF];
    }

    static boolean fieldValue(int b) {
        return FIELD_VALUE[b & 0xFF];
    }

    static boolean target(int b) {
        return TARGET[b & 0xFF];
    }

    static boolean host(int b) {
        return HOST[b & 0xFF];
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Whether bytes [s, e) are {@code lower} ignoring ASCII case ({@code lower} is lower-case). */
    static boolean is(ByteBuf b, int s, int e, byte[] lower) {
        if (e - s != lower.length) {
            return false;
        }
        for (int k = 0; k < lower.length; k++) {
            if (lower(b.getByte(s + k)) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the {@code n} bytes at {@code x} and at {@code y} are equal ignoring ASCII case. */
    static boolean equalIgnoringCase(ByteBuf b, int x, int y, int n) {
        for (int k = 0; k < n; k++) {
            if (lower(b.getByte(x + k)) != lower(b.getByte(y + k))) {
                return false;
            }
        }
        return true;
    }
}
