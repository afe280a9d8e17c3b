package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris against a director process, on the socket engine and the http engine at once: 1 000 connections per
 * engine from two attacking addresses (500 each), each sending a request head one byte every 5 s and reconnecting
 * when it is cut, for 16 s, while a legitimate client at a third address fetches through both services. Each
 * service has {@code max_conn_per_source: 400}; the socket engine's idle timeout is {@code timeouts.tcp: 4} (a
 * layer-4 relay cannot tell a slow head from a slow protocol, so its bound is the idle timeout), the http engine's
 * head timeout is {@code http_request: 3s}.
 *
 * <p>What must hold: every legitimate request succeeds, before and during the attack; no source ever has more than
 * 400 connections open on a service, and the 100 over it per source are reset at accept (the director counts them);
 * every attacking connection that was let in is cut by the director at its timeout, none lives on. The legitimate
 * client's p99 latency before and during, and the director's memory, are printed (figures, not assertions: this is a
 * shared two-core machine). Loopback only (127.0.0.2-4 are loopback addresses); every attacker stops at its deadline.
 */
@Timeout(150)
class SlowlorisEndToEndTest extends DirectorProcessTest {
    static final int PER_SOURCE_LIMIT = 400;
    static final int CONNECTIONS_PER_SOURCE = 500;
    static final List<String> ATTACKERS = List.of("127.0.0.2", "127.0.0.3");
    static final String LEGIT = "127.0.0.4";
    static final long ATTACK_MILLIS = 16_000;
    static final long TRICKLE_MILLIS = 5_000;
    static final byte[] HEAD = ("GET / HTTP/1.1\r\nHost: jvs\r\nUser-Agent: slowloris\r\nX-a: "
            + "b".repeat(200) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);


    /** What the attackers of one service saw. */
    static final class Attack {
        final String name;
        final int port;
        final AtomicInteger refused = new AtomicInteger(); // reset within a second of connecting, before any answer
        final AtomicInteger cut = new AtomicInteger(); // let in, then closed by the director
        final AtomicInteger survived = new AtomicInteger(); // let in and still open after 2x the timeout: a failure
        final AtomicInteger answered408 = new AtomicInteger();
        final ConcurrentLinkedQueue<Long> cutAfterMillis = new ConcurrentLinkedQueue<>();
        final long limitMillis;

        Attack(String name, int port, long timeoutMillis) {
            this.name = name;
            this.port = port;
            this.limitMillis = 2 * timeoutMillis + 1000;
        }
    }

    @Test
    void slowClientsAreCutAtTheirTimeoutsHeldToTheirLimitAndLegitimateClientsAreServed() throws Exception {
        int[] ports = SocketEngineEndToEndTest.freePorts(3);
        backends = NginxBackends.start(Files.createDirectory(dir.resolve("nginx")), List.of(new NginxBackends.Backend("a", ports[0])));
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                director: {control_socket: %s, conn_table_size: 65536, conn_table_size_v6: 64, timeouts: {tcp: 4}}
                services:
                  - address: 127.0.0.1
                    port: %d
                    max_conn_per_source: %d
                    real_servers: [{address: 127.0.0.1, port: %d}]
                  - address: 127.0.0.1
                    port: %d
                    engine: http
                    max_conn_per_source: %d
                    http: {timeouts: {http_request: 3s}}
                    real_servers: [{address: 127.0.0.1, port: %d}]
                """.formatted(dir.resolve("jvs.sock"), ports[1], PER_SOURCE_LIMIT, ports[0], ports[2], PER_SOURCE_LIMIT, ports[0]));
        director = DirectorProcess.start(cfg, dir.resolve("director.log"), dir.resolve("jvs.sock"));
        Attack socket = new Attack("socket", ports[1], 4_000);
        Attack http = new Attack("http", ports[2], 3_000);

        legitimate(List.of(ports[1], ports[2]), 2_000); // warm-up: the first requests pay for class loading and the JIT
        long rssBefore = rssKiB();
        Latencies quiet = legitimate(List.of(ports[1], ports[2]), 4_000);

        long deadline = System.currentTimeMillis() + ATTACK_MILLIS;
        List<Thread> attackers = new ArrayList<>();
        for (Attack a : List.of(socket, http)) {
            for (String source : ATTACKERS) {
                for (int i = 0; i < CONNECTIONS_PER_SOURCE; i++) {
                    attackers.add(Thread.ofVirtual().start(() -> slowClient(a, source, deadline)));
                }
            }
        }
        Thread.sleep(2_000); // the first wave is in (or refused)
        String connections = director.api("GET", "/v1/connections", null);
        int sessions = number(director.api("GET", "/v1/l7", null), "\"sessions\":(\\d+)");
        long rssDuring = rssKiB();
        Latencies during = legitimate(List.of(ports[1], ports[2]), deadline - System.currentTimeMillis() - 500);
        for (Thread t : attackers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        String defense = director.api("GET", "/v1/defense", null);
        Thread.sleep(5_000); // the last cut connections' entries expire
        long rssAfter = rssKiB();

        for (Attack a : List.of(socket, http)) {
            long[] cuts = a.cutAfterMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "slowloris %s engine: %d attacking connections refused at accept, %d let in and cut"
                    + " (after %d ms median, %d ms max), %d survived, %d answered 408%n", a.name, a.refused.get(), a.cut.get(),
                    cuts.length == 0 ? 0 : cuts[cuts.length / 2], cuts.length == 0 ? 0 : cuts[cuts.length - 1], a.survived.get(),
                    a.answered408.get());
        }
        System.out.printf(Locale.ROOT, "slowloris legitimate client: quiet %d/%d OK p50 %.2f ms p99 %.2f ms; under attack %d/%d OK"
                        + " p50 %.2f ms p99 %.2f ms (p99 ratio %.2f); director RSS %d -> %d -> %d MiB%n",
                quiet.ok(), quiet.count(), quiet.percentile(0.5), quiet.percentile(0.99), during.ok(), during.count(),
                during.percentile(0.5), during.percentile(0.99), during.percentile(0.99) / quiet.percentile(0.99),
                rssBefore >> 10, rssDuring >> 10, rssAfter >> 10);

        assertThat(quiet.ok()).isEqualTo(quiet.count()).isGreaterThan(50);
        assertThat(during.ok()).as("legitimate requests during the attack").isEqualTo(during.count());
        assertThat(during.count()).isGreaterThan(100);
        for (String source : ATTACKERS) {
            int held = count(connections, "\"state\":\"ESTABLISHED\",\"expires\":\\d+,\"client\":\"" + Pattern.quote(source) + "\"");
            assertThat(held).as("socket engine connections open from %s", source).isLessThanOrEqualTo(PER_SOURCE_LIMIT)
                    .isGreaterThan(PER_SOURCE_LIMIT / 2);
        }
        assertThat(sessions).as("http engine sessions: the attackers' allowance and the legitimate client's")
                .isLessThanOrEqualTo(ATTACKERS.size() * PER_SOURCE_LIMIT + 1);
        for (Attack a : List.of(socket, http)) {
            assertThat(a.refused.get()).as(a.name + ": at least the 100 over the limit per source")
                    .isGreaterThanOrEqualTo(ATTACKERS.size() * (CONNECTIONS_PER_SOURCE - PER_SOURCE_LIMIT));
            assertThat(a.cut.get()).as(a.name + ": let in and cut by the director").isGreaterThanOrEqualTo(ATTACKERS.size() * PER_SOURCE_LIMIT);
            assertThat(a.survived.get()).as(a.name + ": attacking connections the director left open").isZero();
        }
        assertThat(http.answered408.get()).as("the http engine answers a head cut at its timeout with 408").isPositive();
        Matcher m = Pattern.compile("\"engine\":\"(socket|http)\",\"max_conn\":400,\"sources\":\\d+,\"refused\":(\\d+)").matcher(defense);
        List<String> listed = new ArrayList<>();
        while (m.find()) {
            listed.add(m.group(1));
            assertThat(Long.parseLong(m.group(2))).as(defense).isGreaterThanOrEqualTo(ATTACKERS.size() * (CONNECTIONS_PER_SOURCE - PER_SOURCE_LIMIT));
        }
        assertThat(listed).as("GET /v1/defense lists both limits: " + defense).containsExactlyInAnyOrder("socket", "http");
    }

    /**
     * One slowloris connection after another until {@code deadline}: a head byte every 5 s. A connection reset at
     * once (the per-source limit) waits a second before the next try, so the attack stays slow rather than a
     * connect flood.
     */
    private static void slowClient(Attack a, String source, long deadline) {
        while (System.currentTimeMillis() < deadline - 1_000) {
            long opened = System.currentTimeMillis();
            boolean closedByDirector = false;
            boolean answered = false;
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(source, 0));
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.port), 5_000);
                s.setSoTimeout((int) TRICKLE_MILLIS);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; System.currentTimeMillis() < deadline; i = (i + 1) % HEAD.length) {
                    try {
                        out.write(HEAD[i]);
                        out.flush();
                        byte[] answer = in.readNBytes(12);
                        answered = new String(answer, StandardCharsets.ISO_8859_1).equals("HTTP/1.1 408");
                        closedByDirector = true; // an answer (408) or EOF: the director closed it
                        break;
                    } catch (SocketTimeoutException quiet) {
                        // the next byte
                    } catch (IOException reset) {
                        closedByDirector = true;
                        break;
                    }
                }
            } catch (IOException cannotConnect) {
                closedByDirector = true;
            }
            long lived = System.currentTimeMillis() - opened;
            if (closedByDirector && lived < 1_000 && !answered) {
                a.refused.incrementAndGet();
                sleep(Math.min(1_000, Math.max(0, deadline - System.currentTimeMillis())));
            } else if (closedByDirector) {
                a.cut.incrementAndGet();
                a.cutAfterMillis.add(lived);
                if (answered) {
                    a.answered408.incrementAndGet();
                }
            } else if (lived > a.limitMillis) {
                a.survived.incrementAndGet();
            }
        }
    }

    record Latencies(long[] nanos, int ok) {
        int count() {
            return nanos.length;
        }

        double percentile(double p) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)] / 1e6;
        }
    }

    /** Requests on new connections from {@link #LEGIT}, alternating over {@code ports}, every 20 ms for {@code millis}. */
    private static Latencies legitimate(List<Integer> ports, long millis) throws InterruptedException {
        List<Long> times = new ArrayList<>();
        int ok = 0;
        long end = System.currentTimeMillis() + millis;
        for (int i = 0; System.currentTimeMillis() < end; i++) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(LEGIT, 0));
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(i % ports.size())), 3_000);
                s.setSoTimeout(3_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: jvs\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                if (r.startsWith("HTTP/1.1 200") && r.endsWith("a\n")) {
                    ok++;
                }
            } catch (IOException failed) {
                // counted as not OK
            }
            times.add(System.nanoTime() - t0);
            Thread.sleep(20);
        }
        return new Latencies(times.stream().mapToLong(Long::longValue).toArray(), ok);
    }

    private long rssKiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(director.process().pid()), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    private static int number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int sum = 0;
        while (m.find()) {
            sum += Integer.parseInt(m.group(1));
        }
        return sum;
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
