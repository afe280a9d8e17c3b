package org.jvs.bench.takeover;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvs.testkit.http.Http1;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;

/**
 * N long-lived HTTP keep-alive connections from the client through the VIP, each asking again every interval
 * and remembering which real server answered. The sockets are opened inside the client's namespace (a socket
 * belongs to the namespace it was made in); the askers are virtual threads, so 5 000 connections cost 5 000
 * small stacks, not 5 000 platform threads.
 */
final class KeepAliveClients implements AutoCloseable {
    private final List<Conn> conns;
    private final List<Thread> askers = new ArrayList<>();
    private volatile boolean running = true;

    private KeepAliveClients(List<Conn> conns) {
        this.conns = conns;
    }

    /** Opens {@code n} connections (progress every 1 000) and starts asking on each every {@code interval}. */
    static KeepAliveClients open(Host client, int n, Duration interval) {
        List<Conn> conns = new ArrayList<>(n);
        while (conns.size() < n) {
            int batch = Math.min(1000, n - conns.size());
            conns.addAll(client.call(() -> {
                List<Conn> out = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(Lab.VIP, Lab.HTTP_PORT), 3000);
                    s.setSoTimeout(30_000);
                    out.add(new Conn(s));
                }
                return out;
            }));
            if (n >= 1000) {
                System.out.printf("  %d of %d connections open%n", conns.size(), n);
            }
        }
        KeepAliveClients c = new KeepAliveClients(conns);
        long spread = interval.toNanos() / Math.max(1, n);
        for (int i = 0; i < n; i++) {
            Conn conn = conns.get(i);
            long offset = spread * i; // spread the requests over the interval instead of 5 000 at once
            c.askers.add(Thread.ofVirtual().start(() -> conn.loop(c, interval, offset)));
        }
        return c;
    }

    int size() {
        return conns.size();
    }

    /** Starts a phase: each connection's answers so far, and no first answer of the phase yet. */
    int[] mark() {
        int[] answers = new int[conns.size()];
        for (int i = 0; i < answers.length; i++) {
            Conn c = conns.get(i);
            answers[i] = c.answers;
            c.armedAt = 0;
            c.firstAfter = 0;
        }
        return answers;
    }

    /** From now on each connection remembers its first answer after {@code since} (the new master's start). */
    void arm(long since) {
        for (Conn c : conns) {
            c.armedAt = since;
        }
    }

    /** Connections that answered at least {@code needed} times since {@code mark}, by their own server, no error. */
    int survivors(int[] mark, int needed) {
        int n = 0;
        for (int i = 0; i < conns.size(); i++) {
            Conn c = conns.get(i);
            if (c.error == null && !c.switched && c.answers - mark[i] >= needed) {
                n++;
            }
        }
        return n;
    }

    /** Why the other connections did not survive, a few of them, for the report. */
    List<String> failures(int[] mark, int needed, int max) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < conns.size() && out.size() < max; i++) {
            Conn c = conns.get(i);
            if (c.error != null || c.switched || c.answers - mark[i] < needed) {
                out.add(c.toString());
            }
        }
        return out;
    }

    /** The earliest and the latest first answer after the phase's start, over the connections that had one. */
    long[] firstAnswerSpan() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Conn c : conns) {
            long t = c.firstAfter;
            if (t != 0) {
                min = Math.min(min, t);
                max = Math.max(max, t);
            }
        }
        return min == Long.MAX_VALUE ? new long[] {0, 0} : new long[] {min, max};
    }

    /** Whether every connection still alive (no error) has answered since the phase's start. */
    boolean allAnswered() {
        for (Conn c : conns) {
            if (c.error == null && c.firstAfter == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Conn c : conns) {
            c.close();
        }
        for (Thread t : askers) {
            t.join(5000);
        }
    }

    /** One keep-alive connection. */
    static final class Conn {
        private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: vip\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final Socket socket;
        volatile String first;
        volatile boolean switched;
        volatile Throwable error;
        volatile int answers;
        volatile long armedAt;
        volatile long firstAfter;

        Conn(Socket s) {
            this.socket = s;
        }

        void loop(KeepAliveClients owner, Duration interval, long offsetNanos) {
            try {
                Thread.sleep(Duration.ofNanos(offsetNanos));
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 512);
                while (owner.running) {
                    out.write(REQUEST);
                    out.flush();
                    String body = Http1.readBody(in);
                    long now = System.nanoTime();
                    answers++;
                    if (first == null) {
                        first = body;
                    } else if (!first.equals(body)) {
                        switched = true;
                    }
                    if (firstAfter == 0 && armedAt != 0 && now > armedAt) {
                        firstAfter = now;
                    }
                    Thread.sleep(interval);
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (owner.running) {
                    error = e;
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing at the end of the run
            }
        }

        @Override
        public String toString() {
            return "conn(server=" + first + ", answers=" + answers + ", switched=" + switched + ", error=" + error + ")";
        }
    }
}
