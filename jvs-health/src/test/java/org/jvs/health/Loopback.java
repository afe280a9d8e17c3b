package org.jvs.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small loopback servers for checker tests; each closes everything it opened. */
final class Loopback {
    private Loopback() {
    }

    interface Conversation {
        void talk(InputStream in, OutputStream out) throws IOException;
    }

    /** A TCP server running {@code conversation} on every connection, each on its own virtual thread. */
    static final class Tcp implements AutoCloseable {
        final ServerSocket server;
        private final List<Socket> open = new ArrayList<>();

        Tcp(int backlog, Conversation conversation) throws IOException {
            server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
            if (conversation == null) {
                return; // never accepts: connections pile up in the backlog
            }
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        synchronized (open) {
                            open.add(s);
                        }
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                conversation.talk(s.getInputStream(), s.getOutputStream());
                            } catch (IOException e) {
                                // the checker hung up: fine
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /** Writes lines (CR LF added) and reads lines in between: a scripted line protocol. */
    static Conversation lines(String... script) {
        return (in, out) -> {
            for (String step : script) {
                if (step.startsWith("<")) {
                    readLine(in);
                } else if (step.equals("!silence")) {
                    sleepQuietly(60_000);
                } else {
                    out.write((step + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        };
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            sb.append((char) b);
        }
        return sb.toString().strip();
    }

    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A UDP socket that echoes every datagram (or, with {@code echo} false, never answers). */
    static final class Udp implements AutoCloseable {
        final DatagramSocket socket;

        Udp(boolean echo) throws IOException {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        if (echo) {
                            socket.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A loopback port nothing listens on (TCP and UDP), found by binding and closing. */
    static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }
}
