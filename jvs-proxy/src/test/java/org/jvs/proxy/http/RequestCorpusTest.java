package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request corpus: bytes in, and either the status the switch answers with (never forwarding) or the
 * head it forwards. The refusals are the request-smuggling and malformed-input cases HAProxy and nginx
 * refuse; each case is also fed one byte at a time, which must end the same way.
 */
class RequestCorpusTest {

    /** status 0: accepted, and {@code forwarded} is the head sent to the server (null: same as sent). */
    record Case(String name, String raw, int status, String forwarded) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case ok(String name, String raw) {
        return new Case(name, raw, 0, null);
    }

    static Case ok(String name, String raw, String forwarded) {
        return new Case(name, raw, 0, forwarded);
    }

    static Case no(String name, int status, String raw) {
        return new Case(name, raw, status, null);
    }

    static final String LONG = "a".repeat(8200);

    static List<Case> corpus() {
        return List.of(
                ok("simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("HTTP/1.0 without Host", "GET /x HTTP/1.0\r\n\r\n"),
                ok("query string", "GET /cgi/q?x=1&y=2 HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("POST with length", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"),
                ok("chunked POST", "POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
                ok("gzip then chunked", "POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
                ok("chunked case-insensitive", "POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"),
                ok("OWS around value", "GET / HTTP/1.1\r\nHost:   a  \r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("tab OWS", "GET / HTTP/1.1\r\nHost:\ta\t\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("empty value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty: \r\n\r\n"),
                ok("leading empty lines skipped", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("obs-text in value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\u00e9\r\n\r\n"),
                ok("absolute-form matching Host", "GET http://a.example/p HTTP/1.1\r\nHost: a.example\r\n\r\n"),
                ok("absolute-form Host case differs", "GET http://A.example:8080/p HTTP/1.1\r\nHost: a.EXAMPLE:8080\r\n\r\n"),
                ok("OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("CONNECT authority", "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"),
                ok("IPv6 Host", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n"),
                ok("unknown method token", "PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("Connection close dropped", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("Keep-Alive dropped", "GET / HTTP/1.0\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"),
                ok("Connection-named field dropped", "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Hop, close\r\nX-Hop: 1\r\nX-End: 2\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: a\r\nX-End: 2\r\n\r\n"),
                ok("Proxy-Connection and TE dropped", "GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("Upgrade dropped", "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "GET /ws HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("Expect 100-continue", "PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"),
                ok("Content-Length 0", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
                ok("large Content-Length", "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999\r\n\r\n"),
                ok("many fields", "GET / HTTP/1.1\r\nHost: a\r\n" + "X-F: v\r\n".repeat(100) + "\r\n"),
                ok("percent-encoded path", "GET /a%20b/%7Ec HTTP/1.1\r\nHost: a\r\n\r\n"),
                ok("header names with tchars", "GET / HTTP/1.1\r\nHost: a\r\nX-a.b_c~d!: 1\r\n\r\n"),
                ok("empty Host with absolute path", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET / HTTP/1.1\r\nHost: \r\n\r\n"),

                no("both Content-Length and Transfer-Encoding", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                no("Transfer-Encoding then Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
                no("duplicate identical Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"),
                no("conflicting Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
                no("Content-Length list", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n"),
                no("negative Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
                no("plus-signed Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"),
                no("hex Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n"),
                no("empty Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"),
                no("overflowing Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"),
                no("Content-Length with inner space", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n"),
                no("TE not ending in chunked", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
                no("TE identity", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"),
                no("TE chunked twice", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
                no("TE in two fields", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
                no("TE with parameters", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n"),
                no("TE misspelled", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunk\r\n\r\n"),
                no("TE empty", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n"),
                no("TE in HTTP/1.0", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
                no("TE with vertical tab", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\u000bchunked\r\n\r\n"),
                no("space before colon", 400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
                no("tab before colon", 400, "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"),
                no("space before colon TE", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n"),
                no("obs-fold", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n"),
                no("obs-fold tab", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n"),
                no("bare LF line end", 400, "GET / HTTP/1.1\nHost: a\n\n"),
                no("bare LF in header", 400, "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n"),
                no("bare CR in header", 400, "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n"),
                no("bare CR in value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n"),
                no("NUL in value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\u00002\r\n\r\n"),
                no("NUL in target", 400, "GET /a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("control byte in name", 400, "GET / HTTP/1.1\r\nHost: a\r\nX\u0001Y: 1\r\n\r\n"),
                no("DEL in value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\u007f\r\n\r\n"),
                no("escape in value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: \u001b[31m\r\n\r\n"),
                no("8-bit byte in target", 400, "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("missing Host in HTTP/1.1", 400, "GET / HTTP/1.1\r\n\r\n"),
                no("two Host fields", 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                no("two identical Host fields", 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
                no("Host with userinfo", 400, "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"),
                no("Host with path", 400, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
                no("absolute-form not matching Host", 400, "GET http://evil.example/p HTTP/1.1\r\nHost: a.example\r\n\r\n"),
                no("absolute-form with userinfo", 400, "GET http://u@a/p HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("unknown scheme", 400, "GET ftp://a/p HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("relative target", 400, "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("asterisk with GET", 400, "GET * HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("CONNECT with path", 400, "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("fragment in target", 400, "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("two spaces after method", 400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("tab as separator", 400, "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("space in target", 400, "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("trailing space after version", 400, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
                no("lower-case version", 400, "GET / http/1.1\r\nHost: a\r\n\r\n"),
                no("missing version", 400, "GET /\r\nHost: a\r\n\r\n"),
                no("HTTP/0.9 style", 400, "GET /\r\n\r\n"),
                no("HTTP/2.0", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
                no("HTTP/1.2", 505, "GET / HTTP/1.2\r\nHost: a\r\n\r\n"),
                no("method with slash", 400, "GE/T / HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("empty header name", 400, "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n"),
                no("header without colon", 400, "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"),
                no("quote in header name", 400, "GET / HTTP/1.1\r\nHost: a\r\nX\"Y: 1\r\n\r\n"),
                no("unsupported Expect", 417, "PUT / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n"),
                no("request line too long", 414, "GET /" + LONG + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                no("head too large", 431, "GET / HTTP/1.1\r\nHost: a\r\n" + ("X-Big: " + "b".repeat(1000) + "\r\n").repeat(16) + "\r\n"),
                no("too many fields", 431, "GET / HTTP/1.1\r\nHost: a\r\n" + "X-F: v\r\n".repeat(101) + "\r\n"));
    }

    static Stream<Case> cases() {
        return corpus().stream();
    }

    @Test
    void theCorpusIsAtLeastSixtyCases() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(60);
        assertThat(corpus().stream().filter(c -> c.status != 0)).hasSizeGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wholeRequest(Case c) {
        check(c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneByteAtATime(Case c) {
        check(c, true);
    }

    private static void check(Case c, boolean trickle) {
        byte[] raw = c.raw.getBytes(StandardCharsets.ISO_8859_1);
        RequestParser parser = new RequestParser(HttpLimits.DEFAULT);
        RequestHead head = new RequestHead(HttpLimits.DEFAULT);
        ByteBuf buf = Unpooled.buffer(raw.length);
        try {
            int r = RequestParser.NEED_MORE;
            if (trickle) {
                for (int i = 0; i < raw.length && r == RequestParser.NEED_MORE; i++) {
                    buf.writeByte(raw[i]);
                    r = parser.parse(buf, head);
                }
            } else {
                buf.writeBytes(raw);
                r = parser.parse(buf, head);
            }
            if (c.status == 0) {
                assertThat(r).as("result (reason %s)", head.reason).isEqualTo(RequestParser.DONE);
                assertThat(buf.readerIndex() + head.headLength()).isEqualTo(raw.length);
                String expected = c.forwarded != null ? c.forwarded : c.raw.replaceFirst("^(\r\n)+", "");
                assertThat(head.forwardedForm()).isEqualTo(expected);
                ByteBuf out = Unpooled.buffer();
                head.writeForwarded(out, false);
                assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected);
                out.release();
            } else {
                assertThat(r).as("result").isEqualTo(RequestParser.REJECT);
                assertThat(head.status).as("status (reason %s)", head.reason).isEqualTo(c.status);
                assertThat(head.reason).isNotBlank();
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void theHeadKnowsWhatTheSwitchNeeds() {
        RequestHead h = parse("POST /cgi-bin/q.cgi?x=1 HTTP/1.1\r\nHost: Shop.Example:8080\r\nContent-Length: 12\r\n"
                + "Connection: close\r\nCookie: s=1\r\n\r\n");
        assertThat(h.method).isEqualTo(Method.POST);
        assertThat(h.path()).isEqualTo("/cgi-bin/q.cgi");
        assertThat(h.dynamic()).isTrue();
        assertThat(h.contentLength).isEqualTo(12);
        assertThat(h.keepAlive()).isFalse();
        assertThat(h.hostIs("shop.example".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(h.find("cookie".getBytes(StandardCharsets.US_ASCII))).isEqualTo(3);
        RequestHead g = parse("GET /img/a.png HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(g.dynamic()).isFalse();
        assertThat(g.keepAlive()).isTrue();
        assertThat(g.targetHash()).isEqualTo(parse("GET /img/a.png?v=2 HTTP/1.1\r\nHost: b\r\n\r\n").targetHash());
        assertThat(g.targetHash()).isNotEqualTo(parse("GET /img/b.png HTTP/1.1\r\nHost: b\r\n\r\n").targetHash());
        assertThat(parse("GET http://a/x/y?z HTTP/1.1\r\nHost: a\r\n\r\n").path()).isEqualTo("/x/y");
    }

    @Test
    void aHeadWaitsForItsEmptyLine() {
        RequestParser parser = new RequestParser(HttpLimits.DEFAULT);
        RequestHead head = new RequestHead(HttpLimits.DEFAULT);
        ByteBuf buf = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r", StandardCharsets.ISO_8859_1);
        assertThat(parser.parse(buf, head)).isEqualTo(RequestParser.NEED_MORE);
        buf.writeByte('\n');
        buf.writeBytes("GET /next".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(parser.parse(buf, head)).isEqualTo(RequestParser.DONE);
        assertThat(head.headLength()).isEqualTo(27);
        buf.release();
    }

    static RequestHead parse(String s) {
        ByteBuf buf = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
        RequestHead h = new RequestHead(HttpLimits.DEFAULT);
        int r = new RequestParser(HttpLimits.DEFAULT).parse(buf, h);
        assertThat(r).as("parse (%s)", h.reason).isEqualTo(RequestParser.DONE);
        return h;
    }
}
