package org.jvs.health;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * keepalived's UDP_CHECK: sends {@code payload}; with {@code requireReply} up only when a reply comes whose
 * first bytes equal {@code expect} (if given); without it, up unless an ICMP port unreachable comes back
 * within the timeout (so such a check always takes the whole timeout when the server is fine).
 */
public record UdpChecker(byte[] payload, boolean requireReply, byte[] expect, int port) implements Checker {

    public UdpChecker {
        payload = payload == null || payload.length == 0 ? "jvs-health\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII) : payload.clone();
        expect = expect == null ? null : expect.clone();
        if (expect != null && !requireReply) {
            throw new IllegalArgumentException("an expected reply needs require_reply");
        }
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        try (DatagramSocket s = new DatagramSocket()) {
            // Connected, so that an ICMP port unreachable is reported to this socket.
            s.connect(target);
            s.setSoTimeout(Probes.millis(timeout));
            s.send(new DatagramPacket(payload, payload.length));
            byte[] buf = new byte[65535];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            try {
                s.receive(reply);
            } catch (SocketTimeoutException e) {
                return requireReply ? CheckResult.down("no reply, " + Reasons.timeout(timeout))
                        : CheckResult.up("no ICMP unreachable within " + Reasons.timeout(timeout).substring("timeout after ".length()));
            }
            if (expect != null) {
                int n = Math.min(expect.length, reply.getLength());
                if (reply.getLength() < expect.length || !Arrays.equals(buf, 0, n, expect, 0, n)) {
                    return CheckResult.down("reply does not match: got " + Probes.hex(Arrays.copyOf(buf, Math.min(16, reply.getLength())))
                            + (reply.getLength() > 16 ? "..." : ""));
                }
            }
            return CheckResult.up("reply of " + reply.getLength() + " bytes");
        } catch (PortUnreachableException e) {
            return CheckResult.down("port unreachable (ICMP)");
        } catch (IOException e) {
            return CheckResult.down(Reasons.of("send", e, timeout));
        }
    }

    @Override
    public String type() {
        return "udp";
    }

    // Arrays in a record compare by identity; a reload must see equal contents as an unchanged check.
    @Override
    public boolean equals(Object o) {
        return o instanceof UdpChecker u && Arrays.equals(payload, u.payload) && requireReply == u.requireReply
                && Arrays.equals(expect, u.expect) && port == u.port;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(payload) * 31 + Arrays.hashCode(expect) + (requireReply ? 1 : 0) + port * 7;
    }

    @Override
    public String toString() {
        return "UdpChecker[payload=" + Probes.hex(payload) + ", requireReply=" + requireReply
                + ", expect=" + (expect == null ? "-" : Probes.hex(expect)) + ", port=" + port + "]";
    }
}
