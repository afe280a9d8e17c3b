package org.jvs.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SNMP collector against a real net-snmp agent on a loopback high port, v2c and v3 (SHA + AES). */
class SnmpCollectorTest {
    @TempDir
    static Path dir;
    static Snmpd snmpd;
    static SnmpCollector collector;

    @BeforeAll
    static void start() throws Exception {
        snmpd = Snmpd.start(dir.resolve("snmpd"), List.of(), "127.0.0.1", Snmpd.freeUdpPort(), 0);
        collector = new SnmpCollector();
    }

    @AfterAll
    static void stop() {
        if (collector != null) {
            collector.close();
        }
        if (snmpd != null) {
            snmpd.close();
        }
    }

    private static void assertRealFigures(Sample s) {
        assertThat(s.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors() > 0 ? s.cpus() : -1).isPositive();
        assertThat(s.load1()).isGreaterThanOrEqualTo(0);
        assertThat(s.diskPercent()).isBetween(0.0, 100.0);
        assertThat(s.memTotalKb()).isGreaterThan(s.memAvailableKb()).isPositive();
        assertThat(s.processes()).isPositive();
        assertThat(s.memoryPercent()).isBetween(0.0, 100.0);
    }

    @Test
    void v2cReadsLoadDiskMemoryProcessesAndCpus() throws Exception {
        Sample s = collector.collect(new CollectorSpec.SnmpV2c(null, snmpd.port, Snmpd.COMMUNITY, Duration.ofSeconds(1), 1), "127.0.0.1");
        assertRealFigures(s);
        // The agent and this JVM see the same machine.
        assertThat(s.cpus()).isEqualTo((int) java.nio.file.Files.readAllLines(Path.of("/proc/stat")).stream()
                .filter(l -> l.matches("cpu\\d+\\s.*")).count());
    }

    @Test
    void v3WithAuthAndPrivacy() throws Exception {
        Sample s = collector.collect(new CollectorSpec.SnmpV3(null, snmpd.port, Snmpd.USER, CollectorSpec.AuthProtocol.SHA,
                Snmpd.AUTH_PASSWORD, CollectorSpec.PrivProtocol.AES, Snmpd.PRIV_PASSWORD, Duration.ofSeconds(1), 1), "127.0.0.1");
        assertRealFigures(s);
    }

    @Test
    void wrongCommunityIsANamedTimeout() {
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV2c(null, snmpd.port, "wrong", Duration.ofMillis(300), 1), "127.0.0.1"))
                .isInstanceOf(CollectorException.class)
                .hasMessageContaining("snmp v2c 127.0.0.1/" + snmpd.port)
                .hasMessageContaining("no answer within 300 ms × 2 tries")
                .hasMessageContaining("wrong community");
    }

    @Test
    void wrongV3PasswordIsRefusedByName() {
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV3(null, snmpd.port, Snmpd.USER, CollectorSpec.AuthProtocol.SHA,
                "not-the-password", CollectorSpec.PrivProtocol.AES, Snmpd.PRIV_PASSWORD, Duration.ofMillis(500), 0), "127.0.0.1"))
                .isInstanceOf(CollectorException.class)
                .hasMessageContaining("no answer within 500 ms × 1 tries")
                .hasMessageContaining("unknown user or wrong password");
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV3(null, snmpd.port, "nobody", CollectorSpec.AuthProtocol.SHA,
                Snmpd.AUTH_PASSWORD, CollectorSpec.PrivProtocol.AES, Snmpd.PRIV_PASSWORD, Duration.ofMillis(500), 0), "127.0.0.1"))
                .isInstanceOf(CollectorException.class)
                .hasMessageContaining("agent refused the request (unknown user name)");
    }

    @Test
    void nobodyListeningIsABoundedFailure() throws Exception {
        int closed = Snmpd.freeUdpPort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV2c(null, closed, Snmpd.COMMUNITY, Duration.ofMillis(200), 1), "127.0.0.1"))
                .isInstanceOf(CollectorException.class).hasMessageContaining("no answer within 200 ms × 2 tries");
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV3(null, closed, Snmpd.USER, CollectorSpec.AuthProtocol.SHA,
                Snmpd.AUTH_PASSWORD, CollectorSpec.PrivProtocol.AES, Snmpd.PRIV_PASSWORD, Duration.ofMillis(200), 0), "127.0.0.1"))
                .isInstanceOf(CollectorException.class).hasMessageContaining("no answer to engine ID discovery");
        // Bounded: two tries of 200 ms and one of 200 ms, far below this generous ceiling.
        assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(10).toNanos());
        assertThatThrownBy(() -> collector.collect(new CollectorSpec.SnmpV2c("no-such-host.invalid", 161, "x", Duration.ofMillis(200), 0), "127.0.0.1"))
                .isInstanceOf(CollectorException.class).hasMessageContaining("unknown host 'no-such-host.invalid'");
    }
}
