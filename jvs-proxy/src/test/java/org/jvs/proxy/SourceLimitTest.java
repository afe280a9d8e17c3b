package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

/**
 * {@code max_conn_per_source} on the socket engine: a source holds at most the limit open, the next one is reset at
 * accept and counted, other sources keep their own allowance, a closed connection frees its place, and a limit
 * taken away lets everyone in. The limiter's counting under contention is checked on its own.
 */
class SourceLimitTest extends EngineFixture {

    @Test
    void aSourceHoldsAtMostItsLimitAndOthersAreNotTouched() throws Exception {
        NamedHttpBackend a = http("a");
        ServiceKey.Virtual vs = tcpService("127.0.0.20", "rr");
        addDest(vs, a, 1);
        engine.limitPerSource(Map.of(vs, 3));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = closeLater(connect(vs, "127.0.0.21"));
                assertThat(keepAliveGet(s)).isEqualTo("a");
                held.add(s);
            }
            assertThat(resetAtOnce(vs, "127.0.0.21")).as("the fourth from one source").isTrue();
            assertThat(engine.sourceLimiter(vs).refused()).isEqualTo(1);
            assertThat(engine.counters().sourceLimited()).isEqualTo(1);
            assertThat(get(vs, "127.0.0.22")).as("another source is not counted against the first").isEqualTo("a");
            assertThat(engine.sourceLimiter(vs).open(InetAddress.getByName("127.0.0.21"))).isEqualTo(3);

            held.removeFirst().close();
            assertThat(eventually(() -> engine.sourceLimiter(vs).open(addr("127.0.0.21")) == 2, WAIT)).isTrue();
            assertThat(get(vs, "127.0.0.21")).as("a closed connection frees its place").isEqualTo("a");

            engine.limitPerSource(Map.of()); // the limit taken away (a reload without the key)
            assertThat(get(vs, "127.0.0.21")).isEqualTo("a");
            assertThat(engine.sourceLimiter(vs).refused()).isEqualTo(1);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertThat(eventually(() -> engine.sourceLimiter(vs).sources() == 0, WAIT))
                .as("sources leave the table when their last connection closes").isTrue();
    }

    /**
     * True when the connection is reset (or closed) before any byte comes back to a request. On loopback the reset
     * can beat the end of connect(), which then fails with it: that counts too.
     */
    private static boolean resetAtOnce(ServiceKey.Virtual vs, String from) {
        try (Socket s = connect(vs, from)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: jvs\r\n\r\n".getBytes());
            InputStream in = s.getInputStream();
            return in.read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    private static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void countsStayExactUnderContentionAndEmptySourcesLeave() throws Exception {
        SourceLimiter l = new SourceLimiter();
        InetAddress src = InetAddress.getByName("192.0.2.1");
        int threads = 8;
        int rounds = 20_000;
        AtomicInteger overLimit = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    var c = l.acquire(src, 5);
                    if (c == null) {
                        overLimit.incrementAndGet();
                        continue;
                    }
                    maxSeen.accumulateAndGet(c.get(), Math::max);
                    l.release(c);
                }
            }));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertThat(maxSeen.get()).as("never more than the limit held at once").isLessThanOrEqualTo(5);
        assertThat(l.sources()).as("all released: the source is gone from the table").isZero();
        assertThat(l.open(src)).isZero();
        assertThat(l.acquire(src, 1)).isNotNull();
        assertThat(l.acquire(src, 1)).isNull();
        assertThatThrownBy(() -> l.limit(-1)).hasMessageContaining(">= 0");
    }
}
