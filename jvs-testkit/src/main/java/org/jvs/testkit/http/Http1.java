package org.jvs.testkit.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one HTTP/1.1 response reader the lab clients share: a keep-alive client must read exactly one response
 * (head, then Content-Length bytes) and leave the connection positioned at the next, so no buffering reader.
 */
public final class Http1 {
    private Http1() {
    }

    /** Reads one response with a Content-Length body; returns the body, stripped. */
    public static String readBody(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(128);
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the other side");
            }
            head.append((char) b);
        }
        int len = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                len = Integer.parseInt(line.substring(15).strip());
            }
        }
        return new String(in.readNBytes(len), StandardCharsets.US_ASCII).strip();
    }
}
