package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chunked framing: where a body ends, and the framings that are refused, whole and a byte at a time. */
class ChunkedBodyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "one chunk|5\\r\\nhello\\r\\n0\\r\\n\\r\\n|ok",
            "two chunks|2\\r\\nhe\\r\\n3\\r\\nllo\\r\\n0\\r\\n\\r\\n|ok",
            "upper-case hex|A\\r\\n0123456789\\r\\n0\\r\\n\\r\\n|ok",
            "extension|5;name=value\\r\\nhello\\r\\n0\\r\\n\\r\\n|ok",
            "quoted extension|5;n=\"a b\"\\r\\nhello\\r\\n0\\r\\n\\r\\n|ok",
            "space before extension|5 ;n\\r\\nhello\\r\\n0\\r\\n\\r\\n|ok",
            "trailer|1\\r\\nx\\r\\n0\\r\\nX-Sum: 1\\r\\n\\r\\n|ok",
            "no size digits|\\r\\nhello\\r\\n0\\r\\n\\r\\n|chunk size without hex digits",
            "negative size|-5\\r\\nhello\\r\\n0\\r\\n\\r\\n|chunk size without hex digits",
            "0x prefix|0x5\\r\\nhello\\r\\n0\\r\\n\\r\\n|invalid chunk size",
            "size too large|1000000000000000\\r\\nx|chunk size too large",
            "leading space|  5\\r\\nhello\\r\\n0\\r\\n\\r\\n|chunk size without hex digits",
            "junk after size|5 x\\r\\nhello\\r\\n0\\r\\n\\r\\n|invalid chunk size",
            "bare LF after size|5\\nhello\\r\\n0\\r\\n\\r\\n|invalid chunk size",
            "bare CR after size|5\\rhello\\r\\n0\\r\\n\\r\\n|bare CR in chunk size line",
            "data longer than size|3\\r\\nhello\\r\\n0\\r\\n\\r\\n|chunk data not followed by CRLF",
            "data without CRLF|5\\r\\nhello0\\r\\n\\r\\n|chunk data not followed by CRLF",
            "LF in extension|5;a\\nb\\r\\nhello\\r\\n0\\r\\n\\r\\n|control byte in chunk extension",
            "NUL in extension|5;a\\u0000\\r\\nhello\\r\\n0\\r\\n\\r\\n|control byte in chunk extension",
            "trailer without colon|0\\r\\nBad\\r\\n\\r\\n|malformed trailer field",
            "trailer bare LF|0\\r\\nX: 1\\n\\r\\n|invalid trailer value byte",
            "obs-fold trailer|0\\r\\nX: 1\\r\\n 2\\r\\n\\r\\n|malformed trailer field",
    })
    void framing(String name, String escaped, String expected) {
        byte[] raw = unescape(escaped);
        String whole = run(raw, false);
        String trickled = run(raw, true);
        assertThat(whole).as(name).isEqualTo(expected);
        assertThat(trickled).as(name + " (a byte at a time)").isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void itStopsAtTheEndOfTheBody() {
        ByteBuf buf = Unpooled.copiedBuffer("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n", StandardCharsets.ISO_8859_1);
        ChunkedBody body = new ChunkedBody(4096);
        body.reset();
        assertThat(body.scan(buf)).isEqualTo(13);
        assertThat(body.done()).isTrue();
        buf.release();
    }

    static String run(byte[] raw, boolean trickle) {
        ChunkedBody body = new ChunkedBody(4096);
        body.reset();
        ByteBuf buf = Unpooled.buffer();
        try {
            int consumed = 0;
            int step = trickle ? 1 : raw.length;
            for (int i = 0; i < raw.length && !body.done(); i += step) {
                buf.writeBytes(raw, i, Math.min(step, raw.length - i));
                int n = body.scan(buf);
                if (n == ChunkedBody.REJECT) {
                    return body.reason;
                }
                buf.skipBytes(n);
                consumed += n;
            }
            return body.done() && consumed == raw.length ? "ok" : "incomplete at " + consumed;
        } finally {
            buf.release();
        }
    }

    static byte[] unescape(String s) {
        String t = s.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000");
        return t.getBytes(StandardCharsets.ISO_8859_1);
    }
}
