package org.jvs.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** keepalived's TCP_CHECK: up when a TCP connection opens within the timeout. */
public record TcpChecker(int port) implements Checker {

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(target, Probes.millis(timeout));
            return CheckResult.up("connected in " + Probes.elapsed(start));
        } catch (IOException e) {
            return CheckResult.down(Reasons.of("connect", e, timeout));
        }
    }

    @Override
    public String type() {
        return "tcp";
    }
}
