package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jvs.testkit.netns.Commands;
import org.jvs.testkit.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unprivileged path of the ICMP check: an ICMP datagram socket, which Linux allows to the groups in
 * {@code net.ipv4.ping_group_range}. That sysctl belongs to the network namespace, so the test opens a
 * namespace of its own, lets every group ping there, and checks loopback from a thread inside it; the
 * host's setting is not touched. The raw-socket path is {@code CheckersTest.icmpEchoToLoopback}.
 */
class IcmpDatagramSocketTest {
    private final String ns = "jvshc-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));

    @BeforeEach
    void namespace() {
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647");
    }

    @AfterEach
    void remove() {
        Commands.run(Duration.ofSeconds(10), null, List.of("ip", "netns", "del", ns));
    }

    @Test
    void pingsWithADatagramSocketWhenTheGroupMayPing() {
        CheckResult r = Netns.call(ns, Duration.ofSeconds(10), () -> new IcmpChecker()
                .check(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(2)));
        assertThat(r.status()).as(r.reason()).isEqualTo(CheckResult.Status.UP);
        assertThat(r.reason()).startsWith("echo reply in ").doesNotContain("raw socket");
    }

    @Test
    void fallsBackToARawSocketWhenItMayNot() {
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=1 0");
        CheckResult r = Netns.call(ns, Duration.ofSeconds(10), () -> new IcmpChecker()
                .check(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(2)));
        assertThat(r.status()).as(r.reason()).isEqualTo(CheckResult.Status.UP);
        assertThat(r.reason()).contains("(raw socket)");
    }

    private static void run(String... cmd) {
        Commands.check(Duration.ofSeconds(10), null, List.of(cmd));
    }
}
