package org.jvs.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The light agent: its /proc reader, its server (what bin/jvs agent runs) and the collector against it. */
class AgentTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void readsThisMachinesProc() throws IOException {
        Sample s = new ProcFigures(Path.of("/proc"), List.of(Path.of("/"))).read();
        assertThat(s.cpus()).isPositive();
        assertThat(s.load1()).isGreaterThanOrEqualTo(0);
        assertThat(s.processes()).isGreaterThan(1);
        assertThat(s.memoryPercent()).isBetween(0.0, 100.0);
        assertThat(s.diskPercent()).isBetween(0.0, 100.0);
    }

    @Test
    void readsAFakeProcTree(@TempDir Path proc) throws IOException {
        Files.writeString(proc.resolve("loadavg"), "3.50 2.00 1.00 4/300 12345\n");
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\ncpu2 1 2 3 4\nintr 5\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n");
        for (String pid : List.of("1", "42", "4242", "self-not-a-pid")) {
            Files.createDirectory(proc.resolve(pid));
        }
        Sample s = new ProcFigures(proc, List.of()).read();
        assertThat(s).isEqualTo(new Sample(3.5, 3, Double.NaN, 1000, 250, 3, Double.NaN));
        assertThat(s.memoryPercent()).isEqualTo(75.0);
    }

    @Test
    void collectorReadsTheAgentServer() throws Exception {
        Sample served = new Sample(1.25, 4, 37.5, 2000, 500, 123, Double.NaN);
        try (AgentServer server = new AgentServer(LOOPBACK, () -> served)) {
            Sample got = AgentCollector.collect(new CollectorSpec.Agent(null, server.address().getPort(), Duration.ofSeconds(2)), "127.0.0.1");
            assertThat(got).isEqualTo(served);
            // The server refuses anything but the request line, and keeps serving.
            try (Socket s = new Socket(server.address().getAddress(), server.address().getPort())) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("error expected");
            }
            assertThat(AgentCollector.collect(new CollectorSpec.Agent(null, server.address().getPort(), Duration.ofSeconds(2)), "127.0.0.1"))
                    .isEqualTo(served);
        }
    }

    /** A fake agent answering {@code reply} to whatever it is asked. */
    private static String collectFrom(String reply) throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(LOOPBACK);
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = ss.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[64]);
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // The collector may hang up first (oversized answers): fine.
                }
            });
            try {
                AgentCollector.collect(new CollectorSpec.Agent(null, ss.getLocalPort(), Duration.ofMillis(800)), "127.0.0.1");
                return "no error";
            } catch (CollectorException e) {
                return e.getMessage();
            } finally {
                t.join(2000);
            }
        }
    }

    @Test
    void malformedRepliesAreNamedFailures() throws Exception {
        assertThat(collectFrom("SSH-2.0-OpenSSH\n")).contains("not a JVS agent (expected 'jvs-agent 1', got 'SSH-2.0-OpenSSH')");
        assertThat(collectFrom("jvs-agent 1\nload1 0.5\n")).contains("answer cut short (no 'end' line)");
        assertThat(collectFrom("jvs-agent 1\nload1 0.5\nend")).contains("last line has no newline");
        assertThat(collectFrom("jvs-agent 1\nload1 lots\nend\n")).contains("load1 must be a number >= 0, got 'lots'");
        assertThat(collectFrom("jvs-agent 1\nload1 -1\nend\n")).contains("load1 must be a number >= 0");
        assertThat(collectFrom("jvs-agent 1\nload1 NaN\nend\n")).contains("load1 must be a number >= 0");
        assertThat(collectFrom("jvs-agent 1\nprocesses 1e3\nend\n")).contains("processes must be a whole number >= 0, got '1e3'");
        assertThat(collectFrom("jvs-agent 1\ncpus 99999999999\nend\n")).contains("cpus must be a whole number");
        assertThat(collectFrom("jvs-agent 1\nnovalue\nend\n")).contains("malformed line 'novalue'");
        assertThat(collectFrom("jvs-agent 1\nload1 1\nload1 2\nend\n")).contains("'load1' given twice");
        assertThat(collectFrom("jvs-agent 1\ndisk_percent 140\nend\n")).contains("disk_percent 140.0 above 100");
        assertThat(collectFrom("jvs-agent 1\nsomething_new 5\nend\n")).contains("the agent reported no figure");
        assertThat(collectFrom("jvs-agent 1\n" + "x".repeat(300) + " 1\nend\n")).contains("line longer than 256 bytes");
        assertThat(collectFrom("jvs-agent 1\n" + "k 1\n".repeat(2000))).contains("answer longer than 4096 bytes");
        assertThat(collectFrom("")).contains("last line has no newline");
        assertThat(collectFrom("jvs-agent 1\n\u0001\u0002 x\nend\n")).contains("'?? x'");
        // Unknown keys next to known ones are fine (newer agents).
        assertThat(collectFrom("jvs-agent 1\nload1 0.5\ncpus 2\nswap_kb 12\nend\n")).isEqualTo("no error");
    }

    @Test
    void silentOrClosedAgentIsABoundedFailure() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(LOOPBACK);
            // Accepts (the kernel does) but never answers.
            assertThatThrownBy(() -> AgentCollector.collect(new CollectorSpec.Agent(null, silent.getLocalPort(), Duration.ofMillis(300)), "127.0.0.1"))
                    .isInstanceOf(CollectorException.class).hasMessageContaining("no complete answer within 300 ms");
        }
        int closed;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(LOOPBACK);
            closed = s.getLocalPort();
        }
        assertThatThrownBy(() -> AgentCollector.collect(new CollectorSpec.Agent(null, closed, Duration.ofMillis(300)), "127.0.0.1"))
                .isInstanceOf(CollectorException.class).hasMessageContaining("agent 127.0.0.1:" + closed).hasMessageContaining("refused");
    }

    @Test
    void probesTimeTcpAndHttp() throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(LOOPBACK);
            Thread t = Thread.ofVirtual().start(() -> {
                for (String answer : List.of("", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "garbage\r\n")) {
                    try (Socket s = ss.accept()) {
                        if (!answer.isEmpty()) {
                            s.getInputStream().read(new byte[512]);
                            s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            assertThat(Probe.time(new ProbeSpec.Tcp(0, Duration.ofSeconds(1)), to)).isPositive();
            assertThat(Probe.time(new ProbeSpec.Http(0, "/", null, Duration.ofSeconds(1)), to)).isPositive();
            assertThatThrownBy(() -> Probe.time(new ProbeSpec.Http(0, "/", null, Duration.ofSeconds(1)), to))
                    .isInstanceOf(CollectorException.class).hasMessageContaining("not an HTTP answer ('garbage??')");
            t.join(2000);
        }
    }
}
