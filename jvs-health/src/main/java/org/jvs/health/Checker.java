package org.jvs.health;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One kind of probe. Implementations are records: the record is the checker's configuration, and equal
 * records mean an unchanged check (a reload keeps its state). {@link #check} blocks for at most the
 * timeout and never throws: every failure is a DOWN result with a short reason. The
 * {@link BoundedCheckRunner} runs checks on virtual threads, off the data path, a bounded number at once.
 */
public sealed interface Checker
        permits TcpChecker, HttpChecker, UdpChecker, DnsChecker, SmtpChecker, IcmpChecker, ScriptChecker, AgentChecker {

    /** Probes {@code target} (the real server's address, and {@link #port()} or the server's port). */
    CheckResult check(InetSocketAddress target, Duration timeout);

    /** The configuration name: tcp, http, https, udp, dns, smtp, icmp, script, agent. */
    String type();

    /** The port to probe instead of the real server's ({@code connect_port}); 0 = the server's. */
    int port();
}
