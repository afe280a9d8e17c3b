package org.jvs.proxy.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real server for the engine tests, on loopback: keeps connections alive, records every request it
 * receives (head and body, as bytes), and answers by path: {@code /chunked} chunked, {@code /close}
 * close-delimited, {@code /slow} after 300 ms, anything else with a fixed length naming the server.
 */
final class ScriptedBackend implements AutoCloseable {

    final String name;
    final ServerSocket socket;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    /** While set, a connection's second and later requests are met with a close and no answer (a server restarted). */
    volatile boolean dropReused;
    private final Thread acceptor;

    ScriptedBackend(String name) throws IOException {
        this.name = name;
        socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(this::accept);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int served = 0; ; served++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                if (dropReused && served > 0) {
                    return;
                }
                String lower = head.toLowerCase();
                String body = "";
                if (lower.contains("transfer-encoding: chunked")) {
                    body = readChunked(in);
                } else {
                    int i = lower.indexOf("content-length: ");
                    if (i >= 0) {
                        int n = Integer.parseInt(lower.substring(i + 16, lower.indexOf("\r\n", i)).strip());
                        body = new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
                    }
                }
                received.add(head + body);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String text = name + " " + path;
                maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                if (path.startsWith("/slow")) {
                    Thread.sleep(300);
                }
                active.decrementAndGet();
                if (head.startsWith("CONNECT ") || lower.contains("\r\nupgrade: websocket\r\n") || path.startsWith("/switch")) {
                    // a tunnel: accept (a CONNECT's 200, a websocket's or an unasked 101), then echo every byte
                    out.write((head.startsWith("CONNECT ") ? "HTTP/1.1 200 Connection established\r\n\r\n"
                            : "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                    return;
                }
                if (path.startsWith("/chunked")) {
                    out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(text.length())
                            + "\r\n" + text + "\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } else if (path.startsWith("/close")) {
                    out.write(("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + text).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    return;
                } else if (path.startsWith("/missing")) {
                    out.write(("HTTP/1.1 404 Not Found\r\nContent-Length: " + text.length() + "\r\n\r\n" + text)
                            .getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + text.length() + "\r\nKeep-Alive: timeout=5\r\n\r\n" + text)
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the connection ended
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readChunked(InputStream in) throws IOException {
        StringBuilder raw = new StringBuilder();
        while (true) {
            String line = readLine(in);
            raw.append(line).append("\r\n");
            int size = Integer.parseInt(line.split(";")[0].strip(), 16);
            if (size == 0) {
                String t;
                while (!(t = readLine(in)).isEmpty()) {
                    raw.append(t).append("\r\n");
                }
                return raw.append("\r\n").toString();
            }
            raw.append(new String(in.readNBytes(size + 2), StandardCharsets.ISO_8859_1));
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        acceptor.interrupt();
    }
}
