package org.jvs.director.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A deliberately plain HTTP client: one new TCP connection per request, from a chosen local address. */
final class Http {
    private Http() {
    }

    /** GET / over a fresh connection from {@code source} (a 127.0.0.x address); returns the body's first line. */
    static String get(String source, int port) throws IOException {
        try (Socket s = new Socket()) {
            if (source != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(5000);
            return exchange(s);
        }
    }

    /** One request on an already open connection (keep-alive). */
    static String exchange(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: jvs\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String head = readUntil(in, "\r\n\r\n");
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected answer: " + head.lines().findFirst().orElse(""));
        }
        int length = -1;
        for (String h : head.split("\r\n")) {
            if (h.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).strip());
            }
        }
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8).strip();
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith(end)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after " + sb.length() + " bytes");
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
