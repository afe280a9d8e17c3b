package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * The request-head parser: incremental (each byte is looked at once however the head arrives), strict
 * where request smuggling lives, and allocation-free. It refuses, with the status RFC 9110/9112 give,
 * bare CR or LF, NUL and other controls, obs-fold, whitespace before a colon, over-long lines and heads,
 * both Content-Length and Transfer-Encoding, repeated or malformed Content-Length, any Transfer-Encoding
 * whose last coding is not a single {@code chunked}, more than one Host, a missing Host in HTTP/1.1,
 * and an absolute-form target whose authority is not the Host.
 */
public final class RequestParser extends HeadScan<RequestHead> {

    /** Not enough bytes yet; call again when more arrive. */
    public static final int NEED_MORE = 0;
    /** The head is complete and valid. */
    public static final int DONE = 1;
    /** Refused: {@link RequestHead#status} and {@link RequestHead#reason} say why. */
    public static final int REJECT = -1;

    private static final byte[] CONTENT_LENGTH = lower("content-length");
    private static final byte[] TRANSFER_ENCODING = lower("transfer-encoding");
    private static final byte[] HOST = lower("host");
    private static final byte[] CONNECTION = lower("connection");
    private static final byte[] KEEP_ALIVE = lower("keep-alive");
    private static final byte[] PROXY_CONNECTION = lower("proxy-connection");
    private static final byte[] TE = lower("te");
    private static final byte[] UPGRADE = lower("upgrade");
    private static final byte[] EXPECT = lower("expect");
    private static final byte[] CHUNKED = lower("chunked");
    private static final byte[] CLOSE = lower("close");
    private static final byte[] CONTINUE = lower("100-continue");

    private final HttpLimits limits;

    public RequestParser(HttpLimits limits) {
        this.limits = limits;
    }

    public HttpLimits limits() {
        return limits;
    }

    /**
     * Parses as much of the head at {@code buf}'s reader index as has arrived. Empty lines before the
     * request line are skipped (RFC 9112 2.2) by moving the reader index. On {@link #DONE} the head spans
     * reader index .. reader index + {@link RequestHead#headLength()}; the reader index is not moved.
     */
    public int parse(ByteBuf buf, RequestHead h) {
        if (h.start < 0) {
            while (buf.readableBytes() >= 2 && buf.getByte(buf.readerIndex()) == '\r'
                    && buf.getByte(buf.readerIndex() + 1) == '\n') {
                buf.skipBytes(2);
            }
            if (buf.readableBytes() == 0 || buf.readableBytes() == 1 && buf.getByte(buf.readerIndex()) == '\r') {
                return NEED_MORE;
            }
            h.begin(buf);
        }
        return scan(buf, h);
    }

    @Override
    int malformed(RequestHead h, String reason) {
        return reject(h, 400, reason);
    }

    @Override
    int length(RequestHead h, int length) {
        if (!h.requestLineDone && length > limits.maxRequestLine()) {
            return reject(h, 414, "request line too long");
        }
        return length > limits.maxHeadBytes() ? reject(h, 431, "request head too large") : NEED_MORE;
    }

    /** One complete line [s, e) (CRLF excluded); DONE at the empty line, REJECT, or NEED_MORE to go on. */
    @Override
    int line(RequestHead h, int s, int e) {
        if (!h.requestLineDone) {
            int r = requestLine(h, s, e);
            h.requestLineDone = true;
            return r;
        }
        if (s == e) {
            h.headEnd = e + 2;
            return finish(h);
        }
        return field(h, s, e);
    }

    private int requestLine(RequestHead h, int s, int e) {
        ByteBuf b = h.buf;
        int p = s;
        while (p < e && HttpSyntax.tchar(b.getByte(p))) {
            p++;
        }
        if (p == s || p >= e || b.getByte(p) != ' ') {
            return reject(h, 400, "malformed method");
        }
        h.methodEnd = p;
        h.method = method(b, s, p);
        p++;
        h.targetStart = p;
        while (p < e && HttpSyntax.target(b.getByte(p))) {
            p++;
        }
        if (p == h.targetStart || p >= e || b.getByte(p) != ' ') {
            return reject(h, 400, "malformed request target");
        }
        h.targetEnd = p;
        p++;
        if (e - p != 8 || b.getByte(p) != 'H' || b.getByte(p + 1) != 'T' || b.getByte(p + 2) != 'T'
                || b.getByte(p + 3) != 'P' || b.getByte(p + 4) != '/' || !HttpSyntax.digit(b.getByte(p + 5))
                || b.getByte(p + 6) != '.' || !HttpSyntax.digit(b.getByte(p + 7))) {
            return reject(h, 400, "malformed HTTP version");
        }
        int major = b.getByte(p + 5) - '0';
        int minor = b.getByte(p + 7) - '0';
        if (major != 1 || minor > 1) {
            return reject(h, 505, "HTTP version not supported");
        }
        h.version = 10 + minor;
        return target(h);
    }

    private int target(RequestHead h) {
        ByteBuf b = h.buf;
        int s = h.targetStart;
        int e = h.targetEnd;
        byte first = b.getByte(s);
        if (h.method == Method.CONNECT) {
            if (first == '/' || !authority(b, s, e)) {
                return reject(h, 400, "CONNECT needs an authority-form target");
            }
            h.authorityStart = s;
            h.authorityEnd = e;
            h.pathStart = h.pathEnd = e;
            return NEED_MORE;
        }
        if (first == '*') {
            if (e - s != 1 || h.method != Method.OPTIONS) {
                return reject(h, 400, "asterisk-form is for OPTIONS only");
            }
            h.pathStart = h.pathEnd = e;
            return NEED_MORE;
        }
        int pathFrom = s;
        if (first != '/') {
            int scheme = schemeLength(b, s, e);
            if (scheme < 0) {
                return reject(h, 400, "malformed request target");
            }
            int a = s + scheme;
            int ae = a;
            while (ae < e && b.getByte(ae) != '/' && b.getByte(ae) != '?') {
                ae++;
            }
            if (ae == a || !authority(b, a, ae)) {
                return reject(h, 400, "malformed absolute-form authority");
            }
            h.authorityStart = a;
            h.authorityEnd = ae;
            pathFrom = ae;
        }
        h.pathStart = pathFrom;
        int q = pathFrom;
        while (q < e && b.getByte(q) != '?' && b.getByte(q) != '#') {
            q++;
        }
        if (q < e && b.getByte(q) == '#') {
            return reject(h, 400, "fragment in request target");
        }
        h.pathEnd = q;
        h.hasQuery = q < e;
        return NEED_MORE;
    }

    /** Length of "http://" or "https://" (case-insensitive) at s, or -1. */
    private static int schemeLength(ByteBuf b, int s, int e) {
        int n = e - s;
        if (n > 7 && match(b, s, "http://")) {
            return 7;
        }
        if (n > 8 && match(b, s, "https://")) {
            return 8;
        }
        return -1;
    }

    private static boolean match(ByteBuf b, int s, String lowerAscii) {
        for (int i = 0; i < lowerAscii.length(); i++) {
            if (HttpSyntax.lower(b.getByte(s + i)) != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean authority(ByteBuf b, int s, int e) {
        if (s == e) {
            return false;
        }
        for (int p = s; p < e; p++) {
            byte c = b.getByte(p);
            if (c == '@' || !HttpSyntax.host(c)) {
                return false;
            }
        }
        return true;
    }

    private int field(RequestHead h, int s, int e) {
        ByteBuf b = h.buf;
        byte first = b.getByte(s);
        if (first == ' ' || first == '\t') {
            return reject(h, 400, "obs-fold");
        }
        int p = s;
        while (p < e && HttpSyntax.tchar(b.getByte(p))) {
            p++;
        }
        if (p >= e || b.getByte(p) != ':') {
            byte c = p < e ? b.getByte(p) : 0;
            return reject(h, 400, c == ' ' || c == '\t' ? "whitespace before colon" : "malformed header field");
        }
        if (p == s) {
            return reject(h, 400, "empty header name");
        }
        int nameEnd = p;
        p++;
        while (p < e && (b.getByte(p) == ' ' || b.getByte(p) == '\t')) {
            p++;
        }
        int ve = e;
        while (ve > p && (b.getByte(ve - 1) == ' ' || b.getByte(ve - 1) == '\t')) {
            ve--;
        }
        for (int k = p; k < ve; k++) {
            if (!HttpSyntax.fieldValue(b.getByte(k))) {
                return reject(h, 400, "invalid header value byte");
            }
        }
        int i = h.headerCount;
        if (i == limits.maxHeaders()) {
            return reject(h, 431, "too many header fields");
        }
        h.nameStart[i] = s;
        h.nameEnd[i] = nameEnd;
        h.valueStart[i] = p;
        h.valueEnd[i] = ve;
        h.headerCount = i + 1;
        return semantics(h, i);
    }

    /** What the parser itself must know of a field: framing, Host, connection options, Expect. */
    private int semantics(RequestHead h, int i) {
        int len = h.nameEnd[i] - h.nameStart[i];
        switch (len) {
            case 14 -> {
                if (h.nameIs(i, CONTENT_LENGTH)) {
                    return contentLength(h, i);
                }
            }
            case 17 -> {
                if (h.nameIs(i, TRANSFER_ENCODING)) {
                    return transferEncoding(h, i);
                }
            }
            case 4 -> {
                if (h.nameIs(i, HOST)) {
                    if (h.hostIndex >= 0) {
                        return reject(h, 400, "more than one Host");
                    }
                    if (h.valueEnd[i] > h.valueStart[i] && !authority(h.buf, h.valueStart[i], h.valueEnd[i])) {
                        return reject(h, 400, "malformed Host");
                    }
                    h.hostIndex = i;
                }
            }
            case 10 -> {
                if (h.nameIs(i, CONNECTION)) {
                    h.hopByHop[i] = true;
                    h.connectionCount++;
                } else if (h.nameIs(i, KEEP_ALIVE)) {
                    h.hopByHop[i] = true;
                }
            }
            case 16 -> {
                if (h.nameIs(i, PROXY_CONNECTION)) {
                    h.hopByHop[i] = true;
                }
            }
            case 2 -> {
                if (h.nameIs(i, TE)) {
                    h.hopByHop[i] = true;
                }
            }
            case 7 -> {
                if (h.nameIs(i, UPGRADE)) {
                    h.hopByHop[i] = true;
                    h.upgradeIndex = i;
                }
            }
            case 6 -> {
                if (h.nameIs(i, EXPECT)) {
                    if (!HttpSyntax.is(h.buf, h.valueStart[i], h.valueEnd[i], CONTINUE)) {
                        return reject(h, 417, "unsupported Expect");
                    }
                    h.expectContinue = true;
                }
            }
            default -> {
            }
        }
        return NEED_MORE;
    }

    private int contentLength(RequestHead h, int i) {
        if (h.contentLength >= 0) {
            return reject(h, 400, "repeated Content-Length");
        }
        int s = h.valueStart[i];
        int e = h.valueEnd[i];
        if (s == e || e - s > 18) {
            return reject(h, 400, "invalid Content-Length");
        }
        long v = 0;
        for (int p = s; p < e; p++) {
            byte c = h.buf.getByte(p);
            if (!HttpSyntax.digit(c)) {
                return reject(h, 400, "invalid Content-Length");
            }
            v = v * 10 + (c - '0');
        }
        h.contentLength = v;
        return NEED_MORE;
    }

    /** A comma list of codings whose last, and only last, is chunked; codings are checked by token only. */
    private int transferEncoding(RequestHead h, int i) {
        if (h.chunked) {
            return reject(h, 400, "coding after chunked");
        }
        ByteBuf b = h.buf;
        int p = h.valueStart[i];
        int e = h.valueEnd[i];
        boolean any = false;
        while (p < e) {
            while (p < e && (b.getByte(p) == ' ' || b.getByte(p) == '\t' || b.getByte(p) == ',')) {
                p++;
            }
            int ts = p;
            while (p < e && HttpSyntax.tchar(b.getByte(p))) {
                p++;
            }
            int te = p;
            while (p < e && (b.getByte(p) == ' ' || b.getByte(p) == '\t')) {
                p++;
            }
            if (p < e && b.getByte(p) != ',') {
                return reject(h, 400, "invalid Transfer-Encoding");
            }
            if (ts == te) {
                continue;
            }
            if (h.chunked) {
                return reject(h, 400, "coding after chunked");
            }
            any = true;
            if (HttpSyntax.is(b, ts, te, CHUNKED)) {
                h.chunked = true;
            }
        }
        if (!any) {
            return reject(h, 400, "empty Transfer-Encoding");
        }
        if (!h.chunked) {
            return reject(h, 400, "Transfer-Encoding not ending in chunked");
        }
        return NEED_MORE;
    }

    /** End of head: the cross-field rules, then the fields a Connection header names become hop-by-hop. */
    private int finish(RequestHead h) {
        if (h.chunked && h.contentLength >= 0) {
            return reject(h, 400, "both Content-Length and Transfer-Encoding");
        }
        if (h.chunked && h.version == 10) {
            return reject(h, 400, "Transfer-Encoding in HTTP/1.0");
        }
        if (h.version == 11 && h.hostIndex < 0) {
            return reject(h, 400, "missing Host");
        }
        if (h.authorityStart >= 0 && h.method != Method.CONNECT && h.hostIndex >= 0
                && !sameAuthority(h.buf, h.authorityStart, h.authorityEnd, h.valueStart[h.hostIndex], h.valueEnd[h.hostIndex])) {
            return reject(h, 400, "absolute-form target does not match Host");
        }
        if (h.connectionCount > 0) {
            for (int c = 0; c < h.headerCount; c++) {
                if (h.nameIs(c, CONNECTION)) {
                    connectionOptions(h, c);
                }
            }
        }
        if (!h.upgrade) {
            // an Upgrade the Connection header does not name is not an upgrade request (RFC 9110 7.8)
            h.upgradeIndex = -1;
        }
        return DONE;
    }

    /**
     * One Connection field's options: close, keep-alive and upgrade set the head's flags, and every field a
     * token names becomes hop-by-hop (Host excepted).
     */
    private static void connectionOptions(RequestHead h, int c) {
        ByteBuf b = h.buf;
        int p = h.valueStart[c];
        int e = h.valueEnd[c];
        while (p < e) {
            while (p < e && (b.getByte(p) == ' ' || b.getByte(p) == '\t' || b.getByte(p) == ',')) {
                p++;
            }
            int ts = p;
            while (p < e && b.getByte(p) != ',' && b.getByte(p) != ' ' && b.getByte(p) != '\t') {
                p++;
            }
            if (HttpSyntax.is(b, ts, p, CLOSE)) {
                h.connectionClose = true;
            } else if (HttpSyntax.is(b, ts, p, KEEP_ALIVE)) {
                h.connectionKeepAlive = true;
            } else if (HttpSyntax.is(b, ts, p, UPGRADE)) {
                h.upgrade = true;
            }
            if (p > ts) {
                for (int i = 0; i < h.headerCount; i++) {
                    int n = h.nameEnd[i] - h.nameStart[i];
                    if (n == p - ts && !h.nameIs(i, HOST) && HttpSyntax.equalIgnoringCase(b, h.nameStart[i], ts, n)) {
                        h.hopByHop[i] = true;
                    }
                }
            }
            while (p < e && b.getByte(p) != ',') {
                p++;
            }
        }
    }

    private static boolean sameAuthority(ByteBuf b, int as, int ae, int hs, int he) {
        return ae - as == he - hs && HttpSyntax.equalIgnoringCase(b, as, hs, ae - as);
    }

    private static Method method(ByteBuf b, int s, int e) {
        int n = e - s;
        byte c = b.getByte(s);
        return switch (n) {
            case 3 -> c == 'G' && is(b, s, "GET") ? Method.GET : c == 'P' && is(b, s, "PUT") ? Method.PUT : Method.OTHER;
            case 4 -> c == 'P' && is(b, s, "POST") ? Method.POST : c == 'H' && is(b, s, "HEAD") ? Method.HEAD : Method.OTHER;
            case 5 -> c == 'T' && is(b, s, "TRACE") ? Method.TRACE : c == 'P' && is(b, s, "PATCH") ? Method.PATCH : Method.OTHER;
            case 6 -> is(b, s, "DELETE") ? Method.DELETE : Method.OTHER;
            case 7 -> is(b, s, "OPTIONS") ? Method.OPTIONS : is(b, s, "CONNECT") ? Method.CONNECT : Method.OTHER;
            default -> Method.OTHER;
        };
    }

    private static boolean is(ByteBuf b, int s, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (b.getByte(s + i) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int reject(RequestHead h, int status, String reason) {
        h.status = status;
        h.reason = reason;
        return REJECT;
    }

    private static byte[] lower(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
