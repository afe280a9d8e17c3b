package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The director's own process killed ({@code kill -9}) under load through the socket engine and started again, as
 * systemd's {@code Restart=always} would: eight clients make requests on new connections without pause, and four
 * keep-alive connections ask every 50 ms. What may fail is what was in flight at the kill (the relays die with the
 * process) and what was tried while no director ran; after the restart, nothing. The restarted director reads its
 * file again: the same rules as before the kill ({@code jvsadm -S -n}), and a weight changed with {@code jvsadm -e}
 * before the kill is back to the file's (the file is the truth, as ipvsadm rules are lost at reboot unless saved).
 * Loopback only; the clients stop at their deadline, and the director and nginx are stopped after the test.
 */
@Timeout(120)
class DirectorRestartEndToEndTest extends DirectorProcessTest {

    /** One request: when it started and ended, and whether it got its answer. */
    record Request(long startNanos, long endNanos, boolean ok, boolean keepAlive) {
    }

    @Test
    void killedAndRestartedOnlyInFlightAndDowntimeRequestsFailAndTheFileComesBack() throws Exception {
        int[] ports = SocketEngineEndToEndTest.freePorts(3);
        backends = NginxBackends.start(Files.createDirectory(dir.resolve("nginx")), List.of(
                new NginxBackends.Backend("a", ports[0]), new NginxBackends.Backend("b", ports[1])));
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                director: {control_socket: %s, conn_table_size: 65536, conn_table_size_v6: 64}
                services:
                  - address: 127.0.0.1
                    port: %d
                    scheduler: wrr
                    real_servers:
                      - {address: 127.0.0.1, port: %d, weight: 2}
                      - {address: 127.0.0.1, port: %d, weight: 1}
                """.formatted(dir.resolve("jvs.sock"), ports[2], ports[0], ports[1]));
        director = DirectorProcess.start(cfg, dir.resolve("director.log"), dir.resolve("jvs.sock"));
        String rulesAtStart = save();
        assertThat(rulesAtStart).contains("-w 2").contains("-w 1");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(16);
        ConcurrentLinkedQueue<Request> done = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(Thread.ofVirtual().start(() -> shortRequests(ports[2], deadline, done)));
        }
        for (int i = 0; i < 4; i++) {
            clients.add(Thread.ofVirtual().start(() -> keepAliveRequests(ports[2], deadline, done)));
        }
        Thread.sleep(3_000);
        String edit = director.api("POST", "/v1/ipvsadm", "{\"argv\": [\"-e\", \"-t\", \"127.0.0.1:" + ports[2] + "\", \"-r\", \"127.0.0.1:"
                + ports[0] + "\", \"-m\", \"-w\", \"7\"]}");
        assertThat(save()).as(edit).contains("-w 7");
        Thread.sleep(1_000);

        long killed = System.nanoTime();
        director.kill9();
        long dead = System.nanoTime();
        Thread.sleep(500); // a supervisor's restart delay
        director.launch();
        long ready = System.nanoTime();
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        String rulesAfterRestart = save();

        List<Request> all = new ArrayList<>(done);
        long before = all.stream().filter(r -> r.endNanos() < killed).count();
        long beforeFailed = all.stream().filter(r -> r.endNanos() < killed && !r.ok()).count();
        long inFlight = all.stream().filter(r -> r.startNanos() < killed && r.endNanos() >= killed).count();
        long inFlightFailed = all.stream().filter(r -> r.startNanos() < killed && r.endNanos() >= killed && !r.ok()).count();
        long down = all.stream().filter(r -> r.startNanos() >= killed && r.startNanos() < ready).count();
        long downFailed = all.stream().filter(r -> r.startNanos() >= killed && r.startNanos() < ready && !r.ok()).count();
        List<Request> after = all.stream().filter(r -> r.startNanos() >= ready).toList();
        long afterFailed = after.stream().filter(r -> !r.ok()).count();
        long keepAliveBroken = all.stream().filter(r -> r.keepAlive() && !r.ok()).count();
        long firstOkAfterReady = all.stream().filter(r -> r.ok() && r.startNanos() >= dead).mapToLong(Request::endNanos).min().orElse(0);
        System.out.printf(Locale.ROOT, "director kill -9 and restart under load: before %d requests (%d failed); in flight at the"
                        + " kill %d (%d failed); keep-alive connections broken %d of 4; started while down %d (%d failed); after the"
                        + " restart %d (%d failed); kill to process gone %d ms, to control API up again %d ms (with a 500 ms restart"
                        + " delay), to the first answer after %d ms%n",
                before, beforeFailed, inFlight, inFlightFailed, keepAliveBroken, down, downFailed, after.size(), afterFailed,
                (dead - killed) / 1_000_000, (ready - killed) / 1_000_000, (firstOkAfterReady - killed) / 1_000_000);

        assertThat(before).isGreaterThan(100);
        assertThat(beforeFailed).as("failures before the kill").isZero();
        assertThat(inFlight).as("requests and keep-alive connections open at the kill").isLessThanOrEqualTo(12);
        assertThat(keepAliveBroken).as("each keep-alive connection breaks once, with the process that relayed it")
                .isBetween(4L, 8L);
        assertThat(after.size()).as("requests after the restart").isGreaterThan(100);
        assertThat(afterFailed).as("failures after the restart: " + after.stream().filter(r -> !r.ok()).toList()).isZero();
        assertThat(rulesAfterRestart).as("the restarted director has the file's rules, not the run-time -e")
                .isEqualTo(rulesAtStart).doesNotContain("-w 7");
        assertThat(director.log()).contains("removed the stale control socket")
                .as("the socket a killed director leaves behind does not stop the next one");
    }

    private String save() throws IOException {
        String body = director.api("POST", "/v1/ipvsadm", "{\"argv\": [\"-S\", \"-n\"]}");
        return (String) ((java.util.Map<?, ?>) org.jvs.director.api.Json.parse(body)).get("stdout");
    }

    private static void shortRequests(int port, long deadline, ConcurrentLinkedQueue<Request> done) {
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            boolean ok = false;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                s.setSoTimeout(2_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: jvs\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                ok = r.startsWith("HTTP/1.1 200") && (r.endsWith("a\n") || r.endsWith("b\n"));
            } catch (IOException failed) {
                pause(20); // refused while no director runs: do not spin
            }
            done.add(new Request(t0, System.nanoTime(), ok, false));
        }
    }

    /** A keep-alive connection asking every 50 ms; a new one after a failure. */
    private static void keepAliveRequests(int port, long deadline, ConcurrentLinkedQueue<Request> done) {
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                s.setSoTimeout(2_000);
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    boolean ok = false;
                    try {
                        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: jvs\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        ok = response(s.getInputStream());
                    } catch (IOException failed) {
                        // the connection died: counted, and a new one is opened
                    }
                    done.add(new Request(t0, System.nanoTime(), ok, true));
                    if (!ok) {
                        break;
                    }
                    pause(50);
                }
            } catch (IOException cannotConnect) {
                pause(20);
            }
        }
    }

    /** Reads one response with a Content-Length body; true if it is a 200 from a or b. */
    private static boolean response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return false;
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        return head.toString().startsWith("HTTP/1.1 200") && (body.equals("a\n") || body.equals("b\n"));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
