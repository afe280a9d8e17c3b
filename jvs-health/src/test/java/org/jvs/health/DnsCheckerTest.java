package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DNS checks against a real dnsmasq on loopback. */
class DnsCheckerTest {
    @TempDir
    Path dir;

    @Test
    void answersRcodesAndSilence() throws Exception {
        InetSocketAddress at = Loopback.closedPort();
        Process dns = new ProcessBuilder("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces",
                "--listen-address=127.0.0.1", "--port=" + at.getPort(), "--local=/test/", "--host-record=jvs.test,10.1.2.3",
                "--pid-file=" + dir.resolve("dnsmasq.pid"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        try {
            DnsChecker a = new DnsChecker("A", "jvs.test", 0);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            CheckResult r;
            while ((r = a.check(at, Duration.ofMillis(300))).status() != CheckResult.Status.UP) {
                assertThat(System.nanoTime()).as("dnsmasq answering: " + r).isLessThan(end);
            }
            assertThat(r).isEqualTo(CheckResult.up("NOERROR, 1 answer"));
            assertThat(new DnsChecker("aaaa", "jvs.test.", 0).check(at, Duration.ofSeconds(1)))
                    .isEqualTo(CheckResult.down("no answer record for AAAA jvs.test."));
            CheckResult unknown = new DnsChecker("A", "elsewhere.test", 0).check(at, Duration.ofSeconds(1));
            assertThat(unknown.reason()).isEqualTo("rcode NXDOMAIN for A elsewhere.test");
        } finally {
            dns.destroy();
            dns.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(new DnsChecker(null, null, 0).check(at, Duration.ofMillis(500))).isEqualTo(CheckResult.down("port unreachable (ICMP)"));
    }

    @Test
    void queryTypesAndNamesAreCheckedWhenBuilt() {
        assertThat(new DnsChecker(null, null, 0)).isEqualTo(new DnsChecker("SOA", ".", 0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DnsChecker("PTRX", "x", 0)).hasMessageContaining("unknown DNS query type 'PTRX'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DnsChecker("A", "a..b", 0)).hasMessageContaining("bad DNS name");
    }
}
