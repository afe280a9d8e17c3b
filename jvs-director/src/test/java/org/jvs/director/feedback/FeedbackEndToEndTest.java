package org.jvs.director.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.Json;
import java.time.Duration;
import org.jvs.feedback.CollectorSpec;
import org.jvs.feedback.DestStatus;
import org.jvs.feedback.Sample;
import org.jvs.feedback.ServiceStatus;
import org.jvs.feedback.SnmpCollector;
import org.jvs.feedback.Snmpd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic feedback end to end: a director (YAML, weight arbiter, API, jvsadm) over three real servers in
 * network namespaces, each with its own snmpd (two read over v2c, one over v3 SHA/AES). One server is loaded
 * with stress-ng inside its own PID namespace; stopping another's snmpd makes it unreachable; a fourth
 * entry quiesced by the administrator (weight 0) is never touched.
 *
 * <p>The servers share one kernel, so load average, CPU and memory read the same everywhere; what differs
 * per server is what snmpd counts in its own namespaces (hrSystemProcesses) and the probe. The coefficients
 * below weigh processes at 0.5 with right load 2 processes, so that stress-ng's three processes make that
 * server overloaded whatever else the machine is doing. Every weight is checked against the formula
 * applied to the figures the round collected, recomputed here by hand, never against timings.
 */
class FeedbackEndToEndTest {
    @TempDir
    Path dir;
    private FeedbackLab lab;
    private Director director;

    @AfterEach
    void cleanUp() {
        if (director != null) {
            director.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void loadedServerLosesWeightOthersGainSilentServerGetsZeroQuiescedStaysZero() throws Exception {
        lab = new FeedbackLab();
        Snmpd rs1 = lab.server(1, dir);
        Snmpd rs2 = lab.server(2, dir);
        Snmpd rs3 = lab.server(3, dir);
        int p = FeedbackLab.SNMP_TCP_PORT;
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                services:
                  - name: web
                    address: 127.0.0.1
                    port: 18480
                    scheduler: wrr
                    real_servers:
                      - {address: %1$s, port: %4$d, weight: 10}
                      - {address: %2$s, port: %4$d, weight: 10}
                      - {address: %3$s, port: %4$d, weight: 10}
                      - {address: %2$s, port: %5$d, weight: 0}
                feedback:
                  interval: 10s
                  coefficients: {input: 0.1, load: 0.1, disk: 0.1, memory: 0.1, process: 0.5, response: 0.1}
                  right_load: {load: 8, processes: 2}
                  threshold: 0
                  collector: {snmp: {version: 2c, community: %6$s, timeout: 1s, retries: 1}}
                  services:
                    - service: web
                      servers:
                        - address: %3$s
                          collector: {snmp: {version: 3, user: %7$s, auth: SHA, auth_password: %8$s, priv: AES, priv_password: %9$s}}
                """.formatted(lab.address(1), lab.address(2), lab.address(3), p, p + 1, Snmpd.COMMUNITY, Snmpd.USER,
                Snmpd.AUTH_PASSWORD, Snmpd.PRIV_PASSWORD));
        Path sock = dir.resolve("run/jvs.sock");
        director = new Director(cfg, List.of(), sock);
        ServiceKey web = new ServiceKey.Virtual(org.jvs.core.model.Protocol.TCP, IpAddr.parse("127.0.0.1"), 18480);
        var monitor = director.feedback().monitor();

        ServiceStatus calm = monitor.round(web);
        assertThat(calm.dests()).hasSize(3).allSatisfy(d -> {
            assertThat(d.error()).isNull();
            assertThat(d.sample().processes()).isEqualTo(1); // snmpd alone in its PID namespace
            assertThat(d.sample().cpus()).isPositive();
            assertFormula(d);
        });

        // Two workers at a quarter of a CPU each: three processes more in rs1, little harm to whoever else shares
        // this machine. net-snmp refreshes its process list at most every 30 s, hence the wait (bounded).
        Process stress = lab.inside(rs1, "stress-ng", "--cpu", "2", "--cpu-load", "25", "--timeout", "60s", "--quiet");
        // Wait on rs1's snmpd directly (not with rounds, which would push the others to their ceiling meanwhile).
        long deadline = System.nanoTime() + 45_000_000_000L;
        try (SnmpCollector probe = new SnmpCollector()) {
            var spec = new CollectorSpec.SnmpV2c(null, 161, Snmpd.COMMUNITY, Duration.ofSeconds(1), 1);
            while (System.nanoTime() < deadline && probe.collect(spec, lab.address(1)).processes() < 4) {
                Thread.sleep(1000);
            }
        }
        ServiceStatus loaded = monitor.round(web);
        FeedbackLab.stop(stress);
        assertThat(dest(loaded, 1).sample().processes()).as("stress-ng's processes counted by rs1's snmpd").isGreaterThanOrEqualTo(4);
        assertThat(dest(loaded, 2).sample().processes()).isEqualTo(1);
        loaded.dests().forEach(FeedbackEndToEndTest::assertFormula);
        assertThat(dest(loaded, 1).aggregate()).isGreaterThan(0.95);
        assertThat(dest(loaded, 1).weight()).isLessThan(dest(loaded, 1).previousWeight());
        assertThat(dest(loaded, 2).weight()).isGreaterThan(dest(loaded, 2).previousWeight());
        assertThat(dest(loaded, 3).weight()).isGreaterThan(dest(loaded, 3).previousWeight());
        // What schedulers use is what the feedback said (health says nothing here).
        for (int i = 1; i <= 3; i++) {
            assertThat(lbWeight(web, i, p)).isEqualTo(dest(loaded, i).weight());
        }

        rs3.close();
        ServiceStatus silent = monitor.round(web);
        assertThat(dest(silent, 3).weight()).isZero();
        assertThat(dest(silent, 3).error()).contains("snmp v3").contains("no answer");
        assertThat(lbWeight(web, 3, p)).isZero();
        assertThat(lbWeight(web, 2, p + 1)).as("the administrator's weight 0").isZero();
        assertThat(silent.dests()).extracting(DestStatus::port).doesNotContain(p + 1);

        // The API and jvsadm show the same.
        var answer = new ControlClient(sock).call("GET", "/v1/feedback", null);
        assertThat(answer.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(answer.body());
        assertThat(json).containsEntry("enabled", true);
        assertThat(answer.body()).contains("\"service\":\"tcp 127.0.0.1:18480\"").contains(lab.address(3)).contains("no answer");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = TestPlanes.jvsadm(List.of("-L", "--feedback"), sock, null, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("TCP 127.0.0.1:18480").contains(lab.address(1) + ":" + p)
                .contains("no answer");
        assertThat(rs2.alive()).isTrue();
    }

    private DestStatus dest(ServiceStatus s, int server) {
        IpAddr a = IpAddr.parse(lab.address(server));
        return s.dests().stream().filter(d -> d.address().equals(a) && d.port() == FeedbackLab.SNMP_TCP_PORT).findFirst().orElseThrow();
    }

    private int lbWeight(ServiceKey web, int server, int port) {
        return director.loadBalancer().service(web).dest(IpAddr.parse(lab.address(server)), port).weight();
    }

    /** The thesis' formula, by hand, on what the round reported it collected. */
    private static void assertFormula(DestStatus d) {
        Sample s = d.sample();
        double input = d.newConnections() < 0 ? Double.NaN : 1.0; // no traffic: every server had the mean share
        double[] m = {input, s.load1() / s.cpus() / 8, s.diskPercent() / 90,
                100.0 * (s.memTotalKb() - s.memAvailableKb()) / s.memTotalKb() / 90, s.processes() / 2.0, d.responseNanos() / 100e6};
        double[] r = {0.1, 0.1, 0.1, 0.1, 0.5, 0.1};
        double sum = 0;
        double weights = 0;
        for (int k = 0; k < 6; k++) {
            if (!Double.isNaN(m[k])) {
                sum += r[k] * m[k];
                weights += r[k];
            }
        }
        double aggregate = sum / weights;
        assertThat(d.aggregate()).isCloseTo(aggregate, within(1e-9));
        long expected = Math.round(d.previousWeight() + 5 * Math.cbrt(0.95 - aggregate));
        expected = Math.max(0, Math.min(100, expected));
        assertThat(d.weight()).isEqualTo((int) expected);
    }
}
