package org.jvs.health;

/** keepalived's free-form hexadecimal byte strings, for UDP payloads and expected replies. */
public final class HexBytes {
    private HexBytes() {
    }

    /** {@code "Ab12f 3 456"}: blanks separate groups, an odd-length group gets a leading 0. */
    public static byte[] parse(String s) {
        byte[] b = Probes.parseHex(s);
        if (b.length == 0) {
            throw new IllegalArgumentException("expected hexadecimal bytes, got '" + s + "'");
        }
        return b;
    }
}
