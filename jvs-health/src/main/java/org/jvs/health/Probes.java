package org.jvs.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small pieces the stream checkers share: deadlines over several reads, line reading with a bound. */
final class Probes {
    private Probes() {
    }

    static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    static String elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000 + " ms";
    }

    /** A whole check's deadline: every read gets only what is left of it. */
    record Deadline(long endNanos, Duration total) {
        static Deadline after(Duration d) {
            return new Deadline(System.nanoTime() + d.toNanos(), d);
        }

        /** Sets the socket's read timeout to what is left; throws a timeout when nothing is. */
        void arm(Socket s) throws IOException {
            long left = (endNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline");
            }
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }
    }

    /** One line without its CR LF, at most {@code max} bytes; null at end of stream before any byte. */
    static String readLine(Socket s, InputStream in, Deadline d, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            d.arm(s);
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String t = line.toString(StandardCharsets.ISO_8859_1);
                return t.endsWith("\r") ? t.substring(0, t.length() - 1) : t;
            }
            if (line.size() >= max) {
                throw new IOException("line longer than " + max + " bytes");
            }
            line.write(b);
        }
    }

    /** Lowercase hex of bytes. */
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    /** keepalived's free-form hex ("Ab12f 3 456"): blanks separate groups, an odd group gets a leading 0. */
    static byte[] parseHex(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String group : s.strip().split("\\s+")) {
            if (group.isEmpty()) {
                continue;
            }
            String g = group.length() % 2 == 1 ? "0" + group : group;
            for (int i = 0; i < g.length(); i += 2) {
                int hi = Character.digit(g.charAt(i), 16);
                int lo = Character.digit(g.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("not hexadecimal: '" + group + "'");
                }
                out.write(hi << 4 | lo);
            }
        }
        return out.toByteArray();
    }
}
