package org.jvs.feedback;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Times the RESPONSE probe: a TCP handshake, or a whole HTTP/1.0 GET. */
public final class Probe {
    private static final int MAX_BODY = 1 << 20;

    private Probe() {
    }

    public static Duration time(ProbeSpec spec, InetSocketAddress to) throws CollectorException {
        long start = System.nanoTime();
        try {
            switch (spec) {
                case ProbeSpec.Tcp t -> {
                    try (Socket s = TcpExchange.connect(to, t.timeout())) {
                        // Connected: the handshake is what we time.
                    }
                }
                case ProbeSpec.Http h -> {
                    String host = h.hostHeader() != null ? h.hostHeader() : to.getHostString();
                    String req = "GET " + h.path() + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: jvs-feedback\r\nConnection: close\r\n\r\n";
                    byte[] answer = TcpExchange.call(to, h.timeout(), req.getBytes(StandardCharsets.US_ASCII), MAX_BODY);
                    String head = new String(answer, 0, Math.min(answer.length, 16), StandardCharsets.US_ASCII);
                    if (!head.matches("(?s)HTTP/1\\.[01] [1-5][0-9][0-9].*")) {
                        throw new CollectorException("probe http " + to + h.path() + ": not an HTTP answer ('"
                                + AgentProtocol.printable(head) + "')");
                    }
                }
            }
        } catch (IOException e) {
            String kind = spec instanceof ProbeSpec.Http ? "http" : "tcp";
            throw new CollectorException("probe " + kind + " " + to + ": " + e.getMessage(), e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
