package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * The response-head parser for what servers send back: as strict about framing as the request side
 * (a response the switch cannot frame exactly would desynchronise the pooled connection), so conflicting
 * lengths, a Transfer-Encoding not ending in chunked, bare CR/LF and controls make it a 502.
 */
public final class ResponseParser extends HeadScan<ResponseHead> {

    public static final int NEED_MORE = 0;
    public static final int DONE = 1;
    public static final int REJECT = -1;

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PROXY_CONNECTION = "proxy-connection".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final int maxHeadBytes;
    private final int maxFields;

    public ResponseParser(HttpLimits limits) {
        // servers get a larger allowance than clients, as HAProxy gives both the same buffer
        this.maxHeadBytes = Math.max(limits.maxHeadBytes(), 32768);
        this.maxFields = Math.max(limits.maxHeaders(), 200);
    }

    public int parse(ByteBuf buf, ResponseHead h) {
        if (h.start < 0) {
            if (buf.readableBytes() == 0) {
                return NEED_MORE;
            }
            h.begin(buf);
        }
        return scan(buf, h);
    }

    @Override
    int malformed(ResponseHead h, String reason) {
        return reject(h, reason);
    }

    @Override
    int length(ResponseHead h, int length) {
        return length > maxHeadBytes ? reject(h, "response head too large") : NEED_MORE;
    }

    @Override
    int line(ResponseHead h, int s, int e) {
        ByteBuf b = h.buf;
        if (!h.statusLineDone) {
            h.statusLineDone = true;
            if (e - s < 12 || b.getByte(s) != 'H' || b.getByte(s + 1) != 'T' || b.getByte(s + 2) != 'T'
                    || b.getByte(s + 3) != 'P' || b.getByte(s + 4) != '/' || b.getByte(s + 5) != '1'
                    || b.getByte(s + 6) != '.' || (b.getByte(s + 7) != '0' && b.getByte(s + 7) != '1')
                    || b.getByte(s + 8) != ' ' || !HttpSyntax.digit(b.getByte(s + 9)) || !HttpSyntax.digit(b.getByte(s + 10))
                    || !HttpSyntax.digit(b.getByte(s + 11)) || e - s > 12 && b.getByte(s + 12) != ' ') {
                return reject(h, "malformed status line");
            }
            h.version = b.getByte(s + 7) == '1' ? 11 : 10;
            h.status = (b.getByte(s + 9) - '0') * 100 + (b.getByte(s + 10) - '0') * 10 + b.getByte(s + 11) - '0';
            if (h.status < 100) {
                return reject(h, "malformed status code");
            }
            return NEED_MORE;
        }
        if (s == e) {
            h.headEnd = e + 2;
            if (h.chunked && h.contentLength >= 0) {
                // RFC 9112 6.3: chunked wins, and the length must not be passed on
                h.contentLength = -1;
                if (drop(h, h.lengthStart, h.lengthEnd - 2) == REJECT) {
                    return REJECT;
                }
                sortDrops(h);
            }
            return DONE;
        }
        if (++h.fields > maxFields) {
            return reject(h, "too many response fields");
        }
        byte first = b.getByte(s);
        if (first == ' ' || first == '\t') {
            return reject(h, "obs-fold");
        }
        int p = s;
        while (p < e && HttpSyntax.tchar(b.getByte(p))) {
            p++;
        }
        if (p == s || p >= e || b.getByte(p) != ':') {
            return reject(h, "malformed response field");
        }
        int ns = s;
        int ne = p;
        p++;
        while (p < e && (b.getByte(p) == ' ' || b.getByte(p) == '\t')) {
            p++;
        }
        int ve = e;
        while (ve > p && (b.getByte(ve - 1) == ' ' || b.getByte(ve - 1) == '\t')) {
            ve--;
        }
        if (HttpSyntax.is(b, ns, ne, CONTENT_LENGTH)) {
            long v = 0;
            if (p == ve || ve - p > 18) {
                return reject(h, "invalid Content-Length");
            }
            for (int k = p; k < ve; k++) {
                if (!HttpSyntax.digit(b.getByte(k))) {
                    return reject(h, "invalid Content-Length");
                }
                v = v * 10 + b.getByte(k) - '0';
            }
            if (h.contentLength >= 0 && h.contentLength != v) {
                return reject(h, "conflicting Content-Length");
            }
            if (h.contentLength >= 0) {
                return drop(h, s, e);
            }
            h.contentLength = v;
            h.lengthStart = s;
            h.lengthEnd = e + 2;
        } else if (HttpSyntax.is(b, ns, ne, TRANSFER_ENCODING)) {
            int last = ve;
            int ls = last;
            while (ls > p && b.getByte(ls - 1) != ',' && b.getByte(ls - 1) != ' ') {
                ls--;
            }
            h.chunked = HttpSyntax.is(b, ls, last, CHUNKED);
            if (!h.chunked) {
                return reject(h, "Transfer-Encoding not ending in chunked");
            }
        } else if (HttpSyntax.is(b, ns, ne, CONNECTION)) {
            for (int k = p; k < ve; k++) {
                if (k + 5 <= ve && HttpSyntax.is(b, k, k + 5, CLOSE)) {
                    h.connectionClose = true;
                }
                if (k + 10 <= ve && HttpSyntax.is(b, k, k + 10, KEEP_ALIVE)) {
                    h.connectionKeepAlive = true;
                }
            }
            return drop(h, s, e);
        } else if (HttpSyntax.is(b, ns, ne, KEEP_ALIVE) || HttpSyntax.is(b, ns, ne, PROXY_CONNECTION)) {
            return drop(h, s, e);
        }
        return NEED_MORE;
    }

    /** Drops are written in head order; the length line found early may be added last. */
    private static void sortDrops(ResponseHead h) {
        for (int i = h.dropped - 1; i > 0 && h.dropStart[i] < h.dropStart[i - 1]; i--) {
            int s = h.dropStart[i];
            int e = h.dropEnd[i];
            h.dropStart[i] = h.dropStart[i - 1];
            h.dropEnd[i] = h.dropEnd[i - 1];
            h.dropStart[i - 1] = s;
            h.dropEnd[i - 1] = e;
        }
    }

    private static int drop(ResponseHead h, int s, int e) {
        if (h.dropped == ResponseHead.MAX_DROPPED) {
            return reject(h, "too many hop-by-hop fields");
        }
        h.dropStart[h.dropped] = s;
        h.dropEnd[h.dropped] = e + 2;
        h.dropped++;
        return NEED_MORE;
    }

    private static int reject(ResponseHead h, String why) {
        h.reason = why;
        return REJECT;
    }
}
