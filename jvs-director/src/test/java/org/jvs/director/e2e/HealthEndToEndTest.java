package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jvs.core.Dest;
import org.jvs.core.Service;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.jvs.director.api.ControlClient;
import org.jvs.health.DestStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks in a running director with the socket engine, real nginx backends and wrk, loopback only:
 * a killed server leaves the schedule within the checks' window and no new connection reaches it after;
 * it comes back with slow start; removal survives a reload; a thousand checked servers at a 1 s delay loop
 * leave forwarding alone and the check concurrency within its bound.
 */
class HealthEndToEndTest {
    @TempDir
    Path dir;
    NginxBackends stable;
    NginxBackends victim;
    Director director;
    int vip;
    int[] ports;
    Path socket;

    @BeforeEach
    void backends() throws Exception {
        ports = SocketEngineEndToEndTest.freePorts(5);
        vip = ports[3];
        stable = NginxBackends.start(Files.createDirectory(dir.resolve("stable")),
                List.of(new NginxBackends.Backend("a", ports[0]), new NginxBackends.Backend("b", ports[1])));
        victim = startVictim();
        socket = dir.resolve("jvs.sock");
    }

    NginxBackends startVictim() throws Exception {
        Path d = dir.resolve("victim");
        if (!Files.exists(d)) {
            Files.createDirectory(d);
        }
        return NginxBackends.start(d, List.of(new NginxBackends.Backend("c", ports[2])));
    }

    @AfterEach
    void stop() {
        if (director != null) {
            director.close();
        }
        if (victim != null) {
            victim.close();
        }
        stable.close();
    }

    ServiceKey web() {
        return new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), vip);
    }

    String config(String check, int... weights) {
        StringBuilder sb = new StringBuilder("""
                director: {conn_table_size: 65536, conn_table_size_v6: 64, connect_timeout: 2s, drain_timeout: 2s}
                services:
                  - address: 127.0.0.1
                    port: %d
                    scheduler: wrr
                    health_check: %s
                    real_servers:
                """.formatted(vip, check));
        for (int i = 0; i < weights.length; i++) {
            sb.append("      - {address: 127.0.0.1, port: ").append(ports[i]).append(", weight: ").append(weights[i]).append("}\n");
        }
        return sb.toString();
    }

    void startDirector(String yaml) throws Exception {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, yaml);
        director = new Director(cfg, TestPlanes.socket(), socket);
    }

    Dest dest(int port) {
        Service s = director.loadBalancer().service(web());
        return s == null ? null : s.dest(IpAddr.parse("127.0.0.1"), port);
    }

    DestStatus status(int port) {
        return director.health().dests().stream().filter(d -> d.spec().port() == port).findFirst().orElseThrow();
    }

    static void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
            Thread.sleep(20);
        }
    }

    String jvsadm(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TestPlanes.jvsadm(List.of(argv), socket, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("jvsadm %s: %s", String.join(" ", argv), err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aKilledServerLeavesTheScheduleThenReturnsWithSlowStart() throws Exception {
        // delay_loop 1 s, one retry 0.5 s later, 1 s timeouts: down within 1 + 1 + 0.5 + 1 = 3.5 s of the kill.
        startDirector(config("{type: http, path: /, delay_loop: 1s, connect_timeout: 1s, retry: 1, delay_before_retry: 500ms, "
                + "warmup: 0, inhibit_on_failure: true, slow_start: 4s}", 10, 10, 10));
        await("first checks", Duration.ofSeconds(10), () -> director.health().dests().stream().allMatch(d -> d.lastAgoMillis() >= 0));
        assertThat(director.health().dests()).extracting(DestStatus::state).containsOnly("UP");
        Wrk wrk = Wrk.start(vip, 8, 14);
        Thread.sleep(1000);
        victim.close();
        long killed = System.nanoTime();
        await("the killed server marked down", Duration.ofSeconds(10), () -> status(ports[2]).state().equals("DOWN"));
        double detected = (System.nanoTime() - killed) / 1e9;
        System.out.printf("health e2e: killed server marked down %.2f s after the kill%n", detected);
        assertThat(detected).as("delay_loop + retry × (delay_before_retry + timeout) + timeout, plus 2 s for a busy machine")
                .isLessThan(3.5 + 2.0);
        await("its weight at 0", Duration.ofSeconds(5), () -> dest(ports[2]).weight() == 0);
        long connsAtDown = dest(ports[2]).stats().totals().conns();
        Thread.sleep(2000);
        assertThat(dest(ports[2]).stats().totals().conns()).as("no new connection after it was marked down").isEqualTo(connsAtDown);
        assertThat(dest(ports[0]).stats().totals().conns()).as("the others carry the load").isGreaterThan(0);
        String listing = jvsadm("-L", "-n", "--health");
        assertThat(listing).contains("  -> 127.0.0.1:" + ports[2]).containsPattern("127\\.0\\.0\\.1:" + ports[2] + " +Masq +0 +DOWN +http +connect refused");

        victim = startVictim();
        List<Integer> weights = new ArrayList<>();
        await("the server back at full weight", Duration.ofSeconds(15), () -> {
            int w = dest(ports[2]).weight();
            if (weights.isEmpty() || weights.getLast() != w) {
                weights.add(w);
            }
            return w == 10;
        });
        System.out.println("health e2e: weights seen during slow start: " + weights);
        assertThat(weights.getFirst()).isZero();
        assertThat(weights).as("slow start: 0, then steps up to 10").isSorted();
        assertThat(weights.stream().filter(w -> w > 0 && w < 10).count()).as("weights " + weights).isGreaterThanOrEqualTo(2);
        Wrk.Result r = wrk.await();
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
    }

    @Test
    void aRemovedServerStaysOutAcrossAReloadAndComesBack() throws Exception {
        String check = "{type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 0, warmup: 0}";
        startDirector(config(check, 1, 1, 1));
        await("first checks", Duration.ofSeconds(10), () -> director.health().dests().stream().allMatch(d -> d.lastAgoMillis() >= 0));
        victim.close();
        victim = null;
        await("removed", Duration.ofSeconds(10), () -> dest(ports[2]) == null);
        assertThat(jvsadm("-L", "-n")).doesNotContain(":" + ports[2]);
        assertThat(jvsadm("-L", "-n", "--health")).containsPattern("127\\.0\\.0\\.1:" + ports[2] + " +Masq +- +DOWN +tcp +connect refused");
        assertThat(jvsadm("-L", "--json")).contains("\"removedByHealth\":[{\"address\":\"127.0.0.1\",\"port\":" + ports[2]);

        Files.writeString(dir.resolve("jvs.yaml"), config(check, 2, 1, 1));
        var changes = director.reload();
        assertThat(changes.lines()).containsExactly("changed 127.0.0.1:" + ports[0] + " in tcp 127.0.0.1:" + vip);
        assertThat(dest(ports[2])).as("still out after the reload").isNull();
        assertThat(status(ports[2]).state()).isEqualTo("DOWN");

        var api = new ControlClient(socket).call("GET", "/v1/health", null);
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.body()).contains("\"port\":" + ports[2] + ",\"check\":\"tcp\",\"state\":\"DOWN\",\"inService\":false")
                .contains("{\"event\":\"DOWN\",\"service\":\"tcp 127.0.0.1:" + vip + "\",\"dest\":\"127.0.0.1:" + ports[2] + "\"");

        victim = startVictim();
        await("back in the service", Duration.ofSeconds(10), () -> dest(ports[2]) != null);
        assertThat(jvsadm("-L", "-n")).contains("127.0.0.1:" + ports[2]);
        assertThat(dest(ports[0]).spec().weight()).as("the reload's change is in force").isEqualTo(2);
    }

    @Test
    void aServerAddedWithJvsadmGetsTheServicesCheckAndOneDeletedIsCheckedNoMore() throws Exception {
        String check = "{type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 0, warmup: 0}";
        startDirector(config(check, 1, 1));
        await("first checks", Duration.ofSeconds(10), () -> director.health().dests().stream().allMatch(d -> d.lastAgoMillis() >= 0));

        // ports[4] has nothing listening: the service's tcp check finds it refused and takes it out.
        jvsadm("-a", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[4], "-m", "-w", "3");
        await("the added server checked and removed", Duration.ofSeconds(10),
                () -> director.health().dests().stream().anyMatch(d -> d.spec().port() == ports[4] && d.state().equals("DOWN"))
                        && dest(ports[4]) == null);
        assertThat(jvsadm("-L", "-n", "--health")).containsPattern("127\\.0\\.0\\.1:" + ports[4] + " +Masq +- +DOWN +tcp +connect refused");

        // The victim (nginx on ports[2]), added at run time and alive, is checked and stays in with its weight.
        jvsadm("-a", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[2], "-m", "-w", "2");
        await("the live server checked", Duration.ofSeconds(10),
                () -> director.health().dests().stream().anyMatch(d -> d.spec().port() == ports[2] && d.lastAgoMillis() >= 0));
        assertThat(status(ports[2]).state()).isEqualTo("UP");
        assertThat(dest(ports[2]).spec().weight()).isEqualTo(2);

        // Deleted with jvsadm -d: no longer checked, so its death does not bring it back or list it as down.
        jvsadm("-d", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[2]);
        assertThat(director.health().dests()).noneMatch(d -> d.spec().port() == ports[2]);
        // A configured server deleted at run time, then the reload: the file puts it back, checked.
        jvsadm("-d", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[1]);
        assertThat(director.health().dests()).noneMatch(d -> d.spec().port() == ports[1]);
        director.reload();
        assertThat(director.health().dests()).anyMatch(d -> d.spec().port() == ports[1])
                .noneMatch(d -> d.spec().port() == ports[4]);
        assertThat(dest(ports[1])).isNotNull();
    }

    @Test
    void theSorryServerAnswersWhileNoServerIsAliveAndStaysInAcrossAReload() throws Exception {
        startDirector("director: {conn_table_size: 4096, conn_table_size_v6: 64, connect_timeout: 2s, drain_timeout: 2s}\n"
                + "services:\n"
                + "  - address: 127.0.0.1\n"
                + "    port: " + vip + "\n"
                + "    scheduler: rr\n"
                + "    health_check: {type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 0, warmup: 0}\n"
                + "    sorry_server: {address: 127.0.0.1, port: " + ports[0] + "}\n"
                + "    real_servers:\n"
                + "      - {address: 127.0.0.1, port: " + ports[2] + "}\n");
        await("first check", Duration.ofSeconds(10), () -> status(ports[2]).lastAgoMillis() >= 0);
        assertThat(Http.get(null, vip)).isEqualTo("c");
        assertThat(dest(ports[0])).as("no sorry server while a server is alive").isNull();
        victim.close();
        victim = null;
        await("the sorry server in", Duration.ofSeconds(10), () -> dest(ports[0]) != null && dest(ports[2]) == null);
        assertThat(Http.get(null, vip)).isEqualTo("a");
        assertThat(jvsadm("-L", "-n", "--health")).contains("quorum DOWN 0/1, sorry 127.0.0.1:" + ports[0] + " in use");
        director.reload();
        assertThat(dest(ports[0])).as("the sorry server stays in across a reload").isNotNull();
        assertThat(dest(ports[2])).isNull();
        victim = startVictim();
        await("the real server back and the sorry server out", Duration.ofSeconds(10),
                () -> dest(ports[0]) == null && dest(ports[2]) != null);
        assertThat(Http.get(null, vip)).isEqualTo("c");
    }

    @Test
    void aThousandCheckedServersAtOneSecondLeaveForwardingAlone() throws Exception {
        int vip2 = SocketEngineEndToEndTest.freePorts(1)[0];
        String head = config("{type: http, delay_loop: 1s, connect_timeout: 1s, warmup: 1s}", 1, 1).replaceFirst("director: \\{", "director: {health: {max_concurrent: 8}, ");
        StringBuilder yaml = new StringBuilder(head);
        yaml.append("""
                  - address: 127.0.0.1
                    port: %d
                    health_check: {type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 0, warmup: 1s}
                    real_servers:
                """.formatted(vip2));
        for (int i = 0; i < 1000; i++) {
            // 127.77.x.y port 9: loopback addresses where nothing listens, so every check is refused at once.
            yaml.append("      - {address: 127.77.").append(i / 250).append('.').append(i % 250 + 1).append(", port: 9}\n");
        }
        startDirector(yaml.toString());
        Wrk.Result r = Wrk.start(vip, 16, 8).await();
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
        assertThat(r.socketErrors()).as(r.output()).isZero();
        assertThat(r.non2xx()).as(r.output()).isZero();
        ServiceKey second = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), vip2);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (director.loadBalancer().service(second).dests().length != 0) {
            if (System.nanoTime() > end) {
                StringBuilder dump = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, st) -> {
                    if (t.getName().startsWith("jvs-health")) {
                        dump.append(t.getName()).append(' ').append(t.getState()).append('\n');
                        for (StackTraceElement e : st) {
                            dump.append("  ").append(e).append('\n');
                        }
                    }
                });
                throw new AssertionError(director.loadBalancer().service(second).dests().length + " of 1000 still in the service; "
                        + director.health().dests().stream().filter(d -> d.service().equals(second) && d.state().equals("DOWN")).count()
                        + " down\n" + dump);
            }
            Thread.sleep(20);
        }
        assertThat(director.health().dests().stream().filter(d -> d.service().equals(second) && d.state().equals("DOWN"))).hasSize(1000);
        System.out.println("health e2e: 1000 servers: " + r.requests() + " requests, " + r.socketErrors() + " socket errors; "
                + director.health().runner().highestConcurrency() + " checks at once at most (bound 8)");
        assertThat(director.health().runner().highestConcurrency()).as("checks at once").isBetween(1, 8);
        assertThat(director.health().dests().stream().filter(d -> d.service().equals(web())).map(DestStatus::state)).containsOnly("UP");
        assertThat(director.loadBalancer().service(web()).dests()).hasSize(2);
    }
}
