package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP, SMTP, agent, UDP, ICMP and script checks against real servers on loopback, and the ways each fails.
 */
class CheckersTest {
    static final Duration T = Duration.ofMillis(800);

    // ---------------------------------------------------------------- TCP

    @Test
    void tcpConnectsAndSaysRefused() throws Exception {
        try (var server = new Loopback.Tcp(50, Loopback.lines())) {
            CheckResult r = new TcpChecker(0).check(server.address(), T);
            assertThat(r.status()).isEqualTo(CheckResult.Status.UP);
            assertThat(r.reason()).startsWith("connected in ");
        }
        assertThat(new TcpChecker(0).check(Loopback.closedPort(), T)).isEqualTo(CheckResult.down("connect refused"));
    }

    @Test
    void tcpTimesOutOnAListenerWhoseBacklogIsFull() throws Exception {
        try (var server = new Loopback.Tcp(1, null)) {
            List<Socket> fill = new ArrayList<>();
            try {
                // Linux queues backlog + 1 handshakes; after that the SYNs are dropped and connect() waits.
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(server.address(), 300);
                    } catch (IOException e) {
                        // already full
                    }
                    fill.add(s);
                }
                assertThat(new TcpChecker(0).check(server.address(), Duration.ofMillis(300)))
                        .isEqualTo(CheckResult.down("connect timeout after 300 ms"));
            } finally {
                for (Socket s : fill) {
                    s.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- SMTP

    @Test
    void smtpWantsA220BannerAndA250ForHelo() throws Exception {
        try (var good = new Loopback.Tcp(50, Loopback.lines("220-mail.test ESMTP", "220 ready", "<HELO", "250 hello", "<QUIT", "221 bye"));
             var busy = new Loopback.Tcp(50, Loopback.lines("554 no service"));
             var picky = new Loopback.Tcp(50, Loopback.lines("220 ready", "<HELO", "502 not implemented"));
             var mute = new Loopback.Tcp(50, Loopback.lines("!silence"))) {
            assertThat(new SmtpChecker("director.test", 0).check(good.address(), T)).isEqualTo(CheckResult.up("220 banner, HELO 250"));
            assertThat(new SmtpChecker(null, 0).check(busy.address(), T)).isEqualTo(CheckResult.down("banner '554 no service' is not 220"));
            assertThat(new SmtpChecker(null, 0).check(picky.address(), T)).isEqualTo(CheckResult.down("HELO answered '502 not implemented', not 250"));
            assertThat(new SmtpChecker(null, 0).check(mute.address(), T)).isEqualTo(CheckResult.down("banner timeout after 800 ms"));
        }
        assertThat(new SmtpChecker(null, 0).check(Loopback.closedPort(), T)).isEqualTo(CheckResult.down("connect refused"));
    }

    // ---------------------------------------------------------------- agent

    @Test
    void agentRepliesOverTcp() throws Exception {
        try (var weighted = new Loopback.Tcp(50, Loopback.lines("up 75%"));
             var asked = new Loopback.Tcp(50, Loopback.lines("<ping", "drain #deploying"));
             var garbage = new Loopback.Tcp(50, Loopback.lines("I am fine, thanks"));
             var hangup = new Loopback.Tcp(50, (in, out) -> { });
             var mute = new Loopback.Tcp(50, Loopback.lines("!silence"))) {
            CheckResult r = new AgentChecker(null, weighted.server.getLocalPort()).check(weighted.address(), T);
            assertThat(r).isEqualTo(new CheckResult(CheckResult.Status.UP, "agent: up 75%", -1, 75));
            assertThat(new AgentChecker("ping\n", 1).check(asked.address(), T))
                    .isEqualTo(new CheckResult(CheckResult.Status.DRAIN, "agent: drain (deploying)", -1, -1));
            assertThat(new AgentChecker(null, 1).check(garbage.address(), T).reason())
                    .isEqualTo("agent: malformed reply 'I am fine, thanks': unknown word 'I'");
            assertThat(new AgentChecker(null, 1).check(hangup.address(), T)).isEqualTo(CheckResult.down("agent closed the connection without a reply"));
            assertThat(new AgentChecker(null, 1).check(mute.address(), T)).isEqualTo(CheckResult.down("read timeout after 800 ms"));
        }
    }

    // ---------------------------------------------------------------- UDP

    @Test
    void udpEchoMatchesOrNot() throws Exception {
        byte[] ping = "PING".getBytes(StandardCharsets.US_ASCII);
        try (var echo = new Loopback.Udp(true); var silent = new Loopback.Udp(false)) {
            assertThat(new UdpChecker(ping, true, ping, 0).check(echo.address(), T)).isEqualTo(CheckResult.up("reply of 4 bytes"));
            assertThat(new UdpChecker(ping, true, HexFormat.of().parseHex("504f4e47"), 0).check(echo.address(), T))
                    .isEqualTo(CheckResult.down("reply does not match: got 50494e47"));
            assertThat(new UdpChecker(ping, true, null, 0).check(silent.address(), Duration.ofMillis(300)))
                    .isEqualTo(CheckResult.down("no reply, timeout after 300 ms"));
            assertThat(new UdpChecker(ping, false, null, 0).check(silent.address(), Duration.ofMillis(300)))
                    .isEqualTo(CheckResult.up("no ICMP unreachable within 300 ms"));
        }
        assertThat(new UdpChecker(ping, false, null, 0).check(Loopback.closedPort(), T)).isEqualTo(CheckResult.down("port unreachable (ICMP)"));
    }

    // ---------------------------------------------------------------- ICMP

    @Test
    void icmpEchoToLoopback() {
        CheckResult r = new IcmpChecker().check(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(2));
        assertThat(r.status()).as(r.reason()).isEqualTo(CheckResult.Status.UP);
        assertThat(r.reason()).startsWith("echo reply in ");
    }

    @Test
    void icmpChecksumIsTheInternetChecksum() {
        // RFC 1071's example words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(IcmpChecker.checksum(b, 0, b.length)).isEqualTo(~0xddf2 & 0xFFFF);
    }

    // ---------------------------------------------------------------- script

    @Test
    void scriptExitCodesMapLikeKeepalivedMiscDynamic() {
        InetSocketAddress t = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        assertThat(script("exit 0").check(t, T)).isEqualTo(CheckResult.up("exit 0"));
        assertThat(script("exit 1").check(t, T)).isEqualTo(CheckResult.down("exit 1"));
        assertThat(script("exit 5").check(t, T)).isEqualTo(new CheckResult(CheckResult.Status.UP, "exit 5: weight 3", 3, -1));
        assertThat(new ScriptChecker(List.of("sh", "-c", "test \"$0\" = 127.0.0.1:8080", "{address}:{port}"), 0).check(t, T))
                .isEqualTo(CheckResult.up("exit 0"));
        assertThat(new ScriptChecker(List.of("/nonexistent/check"), 0).check(t, T).reason()).startsWith("cannot run /nonexistent/check: ");
    }

    @Test
    void aScriptThatRunsTooLongIsKilled() throws Exception {
        long start = System.nanoTime();
        CheckResult r = script("sleep 30").check(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), Duration.ofMillis(300));
        assertThat(r).isEqualTo(CheckResult.down("timeout after 300 ms, killed"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private static ScriptChecker script(String sh) {
        return new ScriptChecker(List.of("sh", "-c", sh), 0);
    }
}
