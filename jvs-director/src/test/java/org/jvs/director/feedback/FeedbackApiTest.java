package org.jvs.director.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.Json;
import org.jvs.feedback.AgentServer;
import org.jvs.feedback.Sample;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A director with the light agent on loopback: GET /v1/feedback, jvsadm --feedback (text and --json), reload, -L untouched. */
class FeedbackApiTest {
    @TempDir
    Path dir;
    private Director director;

    @AfterEach
    void close() {
        if (director != null) {
            director.close();
        }
    }

    private String jvsadm(Path sock, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TestPlanes.jvsadm(List.of(argv), sock, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return exit + "\n" + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusThroughTheApiAndJvsadm() throws Exception {
        Sample figures = new Sample(0.5, 2, 40, 1000, 600, 50, Double.NaN);
        try (AgentServer agent = new AgentServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> figures);
             ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int agentPort = agent.address().getPort();
            int port = backend.getLocalPort();
            Path cfg = dir.resolve("jvs.yaml");
            String yaml = """
                    services:
                      - address: 127.0.0.1
                        port: 18490
                        real_servers:
                          - {address: 127.0.0.1, port: %d, weight: 5}
                          - {address: 127.0.0.2, port: %d, weight: 0}
                    feedback:
                      interval: 10s
                      collector: {agent: {port: %d}}
                    """.formatted(port, port, agentPort);
            Files.writeString(cfg, yaml);
            Path sock = dir.resolve("run/jvs.sock");
            director = new Director(cfg, List.of(), sock);
            ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), 18490);
            director.feedback().monitor().round(key);

            var answer = new ControlClient(sock).call("GET", "/v1/feedback", null);
            assertThat(answer.status()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(answer.body());
            assertThat(json).containsEntry("enabled", true);
            @SuppressWarnings("unchecked")
            Map<String, Object> svc = ((List<Map<String, Object>>) json.get("services")).getFirst();
            assertThat(svc).containsEntry("service", "tcp 127.0.0.1:18490").containsEntry("interval_ms", 10000L).containsEntry("scale", 10L);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> dests = (List<Map<String, Object>>) svc.get("dests");
            assertThat(dests).hasSize(1); // the quiesced one is not the feedback's
            Map<String, Object> d = dests.getFirst();
            assertThat(d).containsEntry("address", "127.0.0.1").containsEntry("configured_weight", 5L).containsEntry("error", null);
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = (Map<String, Object>) d.get("raw");
            assertThat(raw).containsEntry("processes", 50L).containsEntry("cpus", 2L).containsEntry("disk_percent", 40.0);
            assertThat(((Number) d.get("weight")).intValue()).isEqualTo(director.loadBalancer().service(key).dest(IpAddr.parse("127.0.0.1"), port).weight());

            assertThat(jvsadm(sock, "--feedback")).startsWith("0\n").contains("Prot LocalAddress:Port Interval Cluster")
                    .contains("TCP 127.0.0.1:18490").contains("127.0.0.1:" + port).doesNotContain("127.0.0.2");
            assertThat(jvsadm(sock, "-L", "--feedback", "--json")).startsWith("0\n{\"enabled\":true");
            assertThat(jvsadm(sock, "--feedback", "-Z")).startsWith("2\n").contains("--feedback takes only -L, -n and --json");
            // Plain -L is ipvsadm's listing, untouched.
            assertThat(jvsadm(sock, "-L", "-n")).startsWith("0\nIP Virtual Server version").doesNotContain("Aggregate");

            // A reload without the section hands every weight back.
            Files.writeString(cfg, yaml.substring(0, yaml.indexOf("feedback:")));
            director.reload();
            assertThat(jvsadm(sock, "--feedback")).contains("Dynamic feedback is off");
            assertThat(director.loadBalancer().service(key).dest(IpAddr.parse("127.0.0.1"), port).weight()).isEqualTo(5);
        }
    }
}
