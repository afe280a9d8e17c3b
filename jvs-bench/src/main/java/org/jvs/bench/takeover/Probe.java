package org.jvs.bench.takeover;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;

/**
 * Times the first answer for the VIP through whoever holds it now: new HTTP connections from the client, tried
 * by {@value #PROBERS} threads staggered {@value #STAGGER_MS} ms apart, each giving a lost SYN {@value
 * #CONNECT_TIMEOUT_MS} ms before it tries again, so the answer is seen within about 10 ms of being possible
 * (a client's own TCP would wait for its 1 s SYN retransmission instead; that is the client, not the takeover).
 */
final class Probe {
    static final int PROBERS = 5;
    static final int STAGGER_MS = 10;
    static final int CONNECT_TIMEOUT_MS = 50;
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong answeredAt = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile String answeredBy;
    private volatile boolean stopped;

    /** Starts probing now, for at most {@code bound}. */
    static Probe start(Host client, Duration bound) {
        Probe p = new Probe();
        long end = System.nanoTime() + bound.toNanos();
        for (int i = 0; i < PROBERS; i++) {
            long delay = (long) i * STAGGER_MS;
            p.threads.add(Thread.ofPlatform().daemon().name("probe-" + i).start(() ->
                    client.call(() -> {
                        Thread.sleep(delay);
                        p.run(end);
                        return null;
                    })));
        }
        return p;
    }

    private void run(long end) {
        while (!stopped && answeredAt.get() == 0 && System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(Lab.VIP, Lab.HTTP_PORT), CONNECT_TIMEOUT_MS);
                s.setSoTimeout(1000);
                s.getOutputStream().write(REQUEST);
                InputStream in = s.getInputStream();
                String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                if (all.startsWith("HTTP/1.1 200")) {
                    long now = System.nanoTime();
                    if (answeredAt.compareAndSet(0, now)) {
                        answeredBy = all.substring(all.indexOf("\r\n\r\n") + 4).strip();
                    }
                }
            } catch (IOException e) {
                // not yet: a lost SYN (no holder of the VIP), a refusal or a reset; try again
            }
        }
    }

    /** Waits for the first answer (or the bound); its {@link System#nanoTime()}, 0 if none came. */
    long await() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        return answeredAt.get();
    }

    String answeredBy() {
        return answeredBy;
    }

    void stop() {
        stopped = true;
    }
}
