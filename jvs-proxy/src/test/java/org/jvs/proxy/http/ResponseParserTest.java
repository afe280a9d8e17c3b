package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the switch makes of servers' response heads: framing, and the head the client gets. */
class ResponseParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "length|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n|5/false/true|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n",
            "chunked|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|-1/true/true|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
            "chunked wins over length, which is dropped|HTTP/1.1 200 OK\\r\\nContent-Length: 9\\r\\nX: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|-1/true/true|HTTP/1.1 200 OK\\r\\nX: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
            "identical lengths merged|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 5\\r\\n\\r\\n|5/false/true|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n",
            "hop-by-hop dropped|HTTP/1.1 200 OK\\r\\nConnection: keep-alive\\r\\nKeep-Alive: timeout=5\\r\\nContent-Length: 0\\r\\n\\r\\n|0/false/true|HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n",
            "server closes|HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n\\r\\n|-1/false/false|HTTP/1.1 200 OK\\r\\n\\r\\n",
            "HTTP/1.0 server|HTTP/1.0 200 OK\\r\\nContent-Length: 1\\r\\n\\r\\n|1/false/false|HTTP/1.0 200 OK\\r\\nContent-Length: 1\\r\\n\\r\\n",
            "no reason phrase|HTTP/1.1 204\\r\\n\\r\\n|-1/false/true|HTTP/1.1 204\\r\\n\\r\\n",
            "conflicting lengths|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\n|conflicting Content-Length|",
            "TE not chunked|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|Transfer-Encoding not ending in chunked|",
            "bad length|HTTP/1.1 200 OK\\r\\nContent-Length: 5x\\r\\n\\r\\n|invalid Content-Length|",
            "bare LF|HTTP/1.1 200 OK\\nContent-Length: 5\\r\\n\\r\\n|bare LF|",
            "malformed status line|HTTP/1.1 2000 OK\\r\\n\\r\\n|malformed status line|",
            "not HTTP|SSH-2.0-OpenSSH\\r\\n\\r\\n|malformed status line|",
            "obs-fold|HTTP/1.1 200 OK\\r\\nX: 1\\r\\n 2\\r\\n\\r\\n|obs-fold|",
    })
    void heads(String name, String raw, String expected, String forClient) {
        ByteBuf buf = Unpooled.copiedBuffer(raw.replace("\\r", "\r").replace("\\n", "\n"), StandardCharsets.ISO_8859_1);
        ResponseHead h = new ResponseHead();
        h.reset();
        int r = new ResponseParser(HttpLimits.DEFAULT).parse(buf, h);
        if (r == ResponseParser.REJECT) {
            assertThat(h.reason).as(name).isEqualTo(expected);
        } else {
            assertThat(r).as(name).isEqualTo(ResponseParser.DONE);
            assertThat(h.contentLength + "/" + h.chunked + "/" + h.serverKeepAlive()).as(name).isEqualTo(expected);
            ByteBuf out = Unpooled.buffer();
            h.writeForClient(out, null);
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(forClient.replace("\\r", "\r").replace("\\n", "\n"));
            out.release();
        }
        buf.release();
    }
}
