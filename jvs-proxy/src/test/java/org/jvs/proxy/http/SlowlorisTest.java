package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 1 000 slowloris connections (a header byte at a time) against an http-request timeout of 2 s: legitimate
 * clients are answered meanwhile, and every slow connection is closed at the timeout with a 408, none
 * reaching a server. Bounded: each slow client stops after 8 s whatever happens.
 */
@org.junit.jupiter.api.extension.ExtendWith(LeakCheckExtension.class)
class SlowlorisTest {

    @Test
    void slowHeadsAreCutAtTheRequestTimeoutAndDoNotSlowOthers() throws Exception {
        Duration requestTimeout = Duration.ofSeconds(2);
        Duration other = Duration.ofSeconds(30);
        try (ScriptedBackend backend = new ScriptedBackend("rs1");
             HttpEngine engine = new HttpEngine(new HttpServiceConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     List.of(new HttpBackend("rs1", backend.address(), 1)), "wlc", null, null,
                     new HttpTimeouts(requestTimeout, other, other, other, other, other), null, null), "epoll", 2)) {
            InetSocketAddress vip = engine.start();
            AtomicInteger got408 = new AtomicInteger();
            AtomicInteger cut = new AtomicInteger();
            List<Thread> slow = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                slow.add(Thread.ofVirtual().start(() -> slowClient(vip, got408, cut)));
            }
            Thread.sleep(500);
            int answered = 0;
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
                    s.setSoTimeout(2000);
                    String r = HttpEngineTest.exchange(s, "GET /legit/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    if (r.startsWith("HTTP/1.1 200")) {
                        answered++;
                    }
                }
            }
            for (Thread t : slow) {
                t.join();
            }
            assertThat(answered).as("legitimate clients answered while 1000 slow heads were open").isEqualTo(20);
            assertThat(cut.get()).as("slow connections closed by the switch").isEqualTo(1000);
            assertThat(got408.get()).isEqualTo(1000);
            assertThat(backend.received).hasSize(20).allMatch(r -> r.startsWith("GET /legit/"));
        }
    }

    @Test
    void aSourceOverItsConnectionLimitIsResetAtAcceptAndOthersAreServed() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend("rs1");
             HttpEngine engine = new HttpEngine(new HttpServiceConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     List.of(new HttpBackend("rs1", backend.address(), 1)), "wlc"), "epoll", 2)) {
            engine.limitPerSource(2);
            InetSocketAddress vip = engine.start();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    held.add(from("127.0.0.31", vip));
                    assertThat(HttpEngineTest.exchange(held.get(i), "GET /held HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
                }
                int first;
                try (Socket third = from("127.0.0.31", vip)) { // the reset may even beat the end of connect()
                    third.getOutputStream().write("GET /third HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    first = third.getInputStream().read();
                } catch (IOException reset) {
                    first = -1;
                }
                assertThat(first).as("the third connection from one source gets no answer").isEqualTo(-1);
                try (Socket other = from("127.0.0.32", vip)) {
                    assertThat(HttpEngineTest.exchange(other, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
                }
                assertThat(engine.sourceLimiter().refused()).isEqualTo(1);
                assertThat(backend.received).noneMatch(r -> r.startsWith("GET /third"));
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static Socket from(String source, InetSocketAddress vip) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.setSoTimeout(3000);
        s.connect(vip, 2000);
        return s;
    }

    private static void slowClient(InetSocketAddress vip, AtomicInteger got408, AtomicInteger cut) {
        byte[] head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        long stopAt = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; System.nanoTime() < stopAt; i = (i + 1) % head.length) {
                try {
                    out.write(head[i]);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    byte[] answer = in.readNBytes(12);
                    if (answer.length > 0) {
                        if (new String(answer, StandardCharsets.ISO_8859_1).equals("HTTP/1.1 408")) {
                            got408.incrementAndGet();
                        }
                        break;
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    // nothing yet: send the next byte
                }
            }
            s.setSoTimeout(3000);
            try {
                while (in.read() >= 0) {
                    // drain to the switch's close
                }
                cut.incrementAndGet();
            } catch (java.net.SocketTimeoutException stillOpen) {
                // the switch did not close it: not counted
            } catch (IOException reset) {
                cut.incrementAndGet();
            }
        } catch (IOException e) {
            // could not connect: counted as not cut
        }
    }
}
