package org.jvs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jvs.core.Decision;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.IpAddr;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.ManualClock;

/** A small load balancer on a manual clock, driven by jvsadm command lines, for tests. */
final class TestLb implements AutoCloseable {
    final ManualClock clock = new ManualClock();
    final LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(1000, 100), clock);

    /** Runs one command line (words split on blanks) and returns what it printed. */
    String run(String line) {
        return run(IpvsadmParser.parse(line.isBlank() ? java.util.List.of() : Arrays.asList(line.trim().split("\\s+"))));
    }

    String run(IpvsadmCommand cmd) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            CommandExecutor.execute(lb, cmd, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Runs each line in turn; returns what the last one printed. */
    String runAll(String... lines) {
        String last = "";
        for (String l : lines) {
            last = run(l);
        }
        return last;
    }

    /** A client packet of {@code bytes} bytes; TCP flags as in the header. Returns the verdict. */
    int packet(int proto, String client, int cport, String vip, int vport, int tcpFlags, int bytes) {
        Flow f = new Flow().set(proto, IpAddr.parse(client), cport, IpAddr.parse(vip), vport);
        Decision d = new Decision();
        lb.inbound(f, tcpFlags, bytes, d);
        return d.verdict;
    }

    /** Opens a TCP connection (SYN) from a client. */
    int syn(String client, int cport, String vip, int vport) {
        return packet(6, client, cport, vip, vport, TcpStateMachine.SYN, 60);
    }

    /** Moves a TCP connection on with an ACK (ESTABLISHED in the client-to-server-only state machine). */
    int ack(String client, int cport, String vip, int vport, int bytes) {
        return packet(6, client, cport, vip, vport, TcpStateMachine.ACK, bytes);
    }

    @Override
    public void close() {
        lb.close();
    }

    /** Expected output written with a {@code |} at the end of each line that has trailing blanks. */
    static String lines(String textBlock) {
        return textBlock.replace("|\n", "\n");
    }
}
