package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the parsers for a bounded number of tries per run: mutated valid requests and chunked bodies
 * must never throw, must end the same way however the bytes arrive, and a head the parser accepts must
 * re-parse to the same thing from its forwarded form (what reaches a server is what was decided on).
 */
class ParserFuzzTest {

    private static final String[] SEEDS = {
            "GET /a/b?c=d HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n",
            "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
            "PUT /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\nExpect: 100-continue\r\n\r\n",
            "GET http://a:80/p HTTP/1.0\r\nHost: a:80\r\nConnection: close\r\n\r\n",
    };

    @Provide
    Arbitrary<byte[]> mutatedRequests() {
        Arbitrary<Integer> seed = Arbitraries.integers().between(0, SEEDS.length - 1);
        Arbitrary<Integer> mutations = Arbitraries.integers().between(0, 6);
        Arbitrary<Long> rnd = Arbitraries.longs();
        return Combinators.combine(seed, mutations, rnd).as((s, m, r) -> mutate(SEEDS[s].getBytes(StandardCharsets.ISO_8859_1), m, r));
    }

    static byte[] mutate(byte[] in, int count, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        byte[] b = in.clone();
        byte[] interesting = {'\r', '\n', ' ', '\t', ':', ',', ';', 0, 0x7F, (byte) 0xFF, '0', '-', 'a'};
        for (int i = 0; i < count; i++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(3)) {
                case 0 -> b[at] = interesting[rnd.nextInt(interesting.length)];
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                default -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c.length > 0 ? c : b;
                }
            }
        }
        return b;
    }

    @Property(tries = 3000)
    void requestParsingIsTotalAndIncremental(@ForAll("mutatedRequests") byte[] raw) {
        Outcome whole = parse(raw, raw.length);
        Outcome trickled = parse(raw, 1);
        Outcome halves = parse(raw, Math.max(1, raw.length / 2));
        assertThat(trickled).isEqualTo(whole);
        assertThat(halves).isEqualTo(whole);
        if (whole.result == RequestParser.DONE) {
            assertThat(whole.headLength).isLessThanOrEqualTo(raw.length);
            byte[] again = whole.forwarded.getBytes(StandardCharsets.ISO_8859_1);
            Outcome reparsed = parse(again, again.length);
            assertThat(reparsed.result).as("forwarded form re-parses: %s", whole.forwarded).isEqualTo(RequestParser.DONE);
            assertThat(reparsed.forwarded).isEqualTo(whole.forwarded);
            // the body's framing survives; keep-alive need not: an HTTP/1.0 client's "Connection: keep-alive"
            // is hop-by-hop, so the forwarded form (which the engine completes with its own) lacks it
            assertThat(reparsed.framing.substring(0, reparsed.framing.lastIndexOf('/')))
                    .isEqualTo(whole.framing.substring(0, whole.framing.lastIndexOf('/')));
        }
    }

    @Property(tries = 1000)
    void arbitraryBytesNeverBreakTheParser(@ForAll byte[] raw) {
        Outcome whole = parse(raw, Math.max(1, raw.length));
        assertThat(parse(raw, 1)).isEqualTo(whole);
    }

    @Property(tries = 2000)
    void chunkedScanningIsTotalAndIncremental(@ForAll("mutatedBodies") byte[] raw) {
        assertThat(ChunkedBodyTest.run(raw, true)).isEqualTo(ChunkedBodyTest.run(raw, false));
    }

    @Provide
    Arbitrary<byte[]> mutatedBodies() {
        byte[] seed = "4;e=1\r\nabcd\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.longs()).as((m, r) -> mutate(seed, m, r));
    }

    record Outcome(int result, int status, int headLength, String forwarded, String framing) {
    }

    static Outcome parse(byte[] raw, int step) {
        RequestParser parser = new RequestParser(HttpLimits.DEFAULT);
        RequestHead head = new RequestHead(HttpLimits.DEFAULT);
        ByteBuf buf = Unpooled.buffer();
        try {
            int r = RequestParser.NEED_MORE;
            for (int i = 0; i < raw.length && r == RequestParser.NEED_MORE; i += step) {
                buf.writeBytes(raw, i, Math.min(step, raw.length - i));
                r = parser.parse(buf, head);
            }
            if (r == RequestParser.DONE) {
                return new Outcome(r, 0, buf.readerIndex() + head.headLength(), head.forwardedForm(),
                        head.contentLength + "/" + head.chunked + "/" + head.keepAlive());
            }
            return new Outcome(r, head.status, 0, null, null);
        } finally {
            buf.release();
        }
    }
}
