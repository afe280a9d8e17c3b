package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.jvs.core.time.ManualClock;
import org.jvs.proxy.http.sched.ContentRule;
import org.jvs.proxy.http.sched.L7Request;
import org.jvs.proxy.http.sched.L7Schedulers;
import org.jvs.proxy.http.sched.L7Server;
import org.jvs.proxy.http.sched.RequestScheduler;
import org.jvs.proxy.http.sched.ServerSet;
import org.jvs.proxy.http.sched.StickyHash;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-request work outside Netty — parsing a head, following a chunked body, choosing a server, writing
 * the forwarded head — allocates nothing once warm (50 000 requests, so the JIT has compiled it): measured with the thread's
 * allocation counter over 20 000 requests, the least of five rounds, each scheduler in turn.
 */
class RequestPathAllocationTest {

    private static final byte[] REQUEST = ("POST /cgi-bin/search.cgi?q=lvs HTTP/1.1\r\nHost: shop.example\r\n"
            + "User-Agent: test\r\nCookie: theme=dark; session=abc123\r\nX-User: 42\r\nConnection: keep-alive, X-Hop\r\n"
            + "X-Hop: 1\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    @ParameterizedTest
    @ValueSource(strings = {"lblc", "lblcr", "content", "content-lblcr", "rr", "wrr", "lc", "wlc", "sh"})
    void aWarmRequestPathAllocatesNothing(String scheduler) {
        ServerSet servers = new ServerSet(List.of(new L7Server(0, "rs1", 1), new L7Server(1, "rs2", 2), new L7Server(2, "rs3", 1)));
        List<ContentRule> rules = scheduler.startsWith("content")
                ? List.of(new ContentRule("cgi", "shop.example", "/cgi-bin/", Pattern.compile("\\.cgi$"), "X-User",
                        Pattern.compile("^[0-9]+$"), null, 0b011))
                : List.of();
        RequestScheduler sched = L7Schedulers.create(scheduler, servers, new L7Schedulers.Options(rules, 0,
                new StickyHash.Cookie("session"), 4096, L7Schedulers.Options.DEFAULT.kNanos(), L7Schedulers.DEFAULT_EXPIRE_NANOS),
                new ManualClock());
        RequestParser parser = new RequestParser(HttpLimits.DEFAULT);
        RequestHead head = new RequestHead(HttpLimits.DEFAULT);
        ChunkedBody body = new ChunkedBody(4096);
        L7Request request = new L7Request();
        ByteBuf in = Unpooled.directBuffer(REQUEST.length);
        ByteBuf out = Unpooled.directBuffer(1024);
        try {
            run(parser, head, body, request, sched, in, out, 50_000);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            // the least of five rounds: one may still be running code the JIT has not finished compiling
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 5 && allocated > 0; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                run(parser, head, body, request, sched, in, out, 20_000);
                allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
            }
            // the counter itself and the JIT's occasional boxing of a stack sample stay under a few hundred bytes
            assertThat(allocated).as("bytes allocated by 20 000 requests with %s", scheduler).isLessThan(1024);
        } finally {
            in.release();
            out.release();
        }
    }

    private static void run(RequestParser parser, RequestHead head, ChunkedBody body, L7Request request,
                            RequestScheduler sched, ByteBuf in, ByteBuf out, int n) {
        for (int i = 0; i < n; i++) {
            in.clear().writeBytes(REQUEST);
            head.reset();
            if (parser.parse(in, head) != RequestParser.DONE) {
                throw new AssertionError(head.reason);
            }
            L7Server s = sched.pick(request.set(head, i));
            s.begin(request.units());
            out.clear();
            head.writeForwarded(out, false, null);
            in.skipBytes(head.headLength());
            body.reset();
            if (body.scan(in) < 0 || !body.done()) {
                throw new AssertionError(body.reason);
            }
            s.end(request.units());
        }
    }
}
