package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo backends, directly (no director): what quickstart users will curl. */
class BackendsTest {
    private NamedHttpBackend http;
    private UdpEchoBackend udp;

    @AfterEach
    void close() {
        if (http != null) {
            http.close();
        }
        if (udp != null) {
            udp.close();
        }
    }

    @Test
    void httpBackendAnswersWithItsNameAndKeepsTheConnection() throws IOException {
        http = NamedHttpBackend.start("web-1", "127.0.0.1", 0);
        try (Socket s = new Socket("127.0.0.1", http.port())) {
            s.setSoTimeout(5_000);
            for (int i = 0; i < 3; i++) {
                assertThat(EngineFixture.keepAliveGet(s)).isEqualTo("web-1");
            }
        }
        assertThat(http.requests()).isEqualTo(3);
        assertThat(http.connections()).isEqualTo(1);
    }

    @Test
    void httpBackendClosesAfterAnHttp10Request() throws IOException {
        http = NamedHttpBackend.start("web-2", "127.0.0.1", 0);
        try (Socket s = new Socket("127.0.0.1", http.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String all = new String(EngineFixture.readAll(s.getInputStream(), 4096), StandardCharsets.US_ASCII);
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("X-Backend: web-2").endsWith("\r\n\r\nweb-2\n");
        }
    }

    @Test
    void udpBackendEchoesWithItsName() throws IOException {
        udp = UdpEchoBackend.start("dns-1", "127.0.0.1", 0);
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            c.setSoTimeout(5_000);
            byte[] q = "who".getBytes(StandardCharsets.UTF_8);
            c.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", udp.port())));
            DatagramPacket r = new DatagramPacket(new byte[100], 100);
            c.receive(r);
            assertThat(new String(r.getData(), 0, r.getLength(), StandardCharsets.UTF_8)).isEqualTo("dns-1 who");
        }
        assertThat(udp.datagrams()).isEqualTo(1);
    }
}
