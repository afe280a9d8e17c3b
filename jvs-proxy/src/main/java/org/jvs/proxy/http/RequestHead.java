package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One parsed request head, as absolute offsets into the connection's buffer: no copy, no string. A
 * connection owns one and {@link #reset resets} it per request; the buffer must not move until the head
 * has been forwarded.
 */
public final class RequestHead extends HeadState {

    /** Why a request was refused; the status and a short, fixed reason (no allocation on refusal). */
    public int status;
    public String reason;

    boolean requestLineDone;

    public Method method;
    int methodEnd;
    int targetStart;
    int targetEnd;
    /** The request target's path: after an absolute-form's authority, before any '?'. */
    int pathStart;
    int pathEnd;
    boolean hasQuery;
    int authorityStart = -1;
    int authorityEnd = -1;
    /** 10 or 11. */
    public int version;

    int headerCount;
    final int[] nameStart;
    final int[] nameEnd;
    final int[] valueStart;
    final int[] valueEnd;
    /** Hop-by-hop fields (RFC 9110 7.6.1), not forwarded. */
    final boolean[] hopByHop;
    int hostIndex = -1;
    int connectionCount;

    /** Content-Length, or -1 when there is none. */
    public long contentLength = -1;
    public boolean chunked;
    public boolean connectionClose;
    public boolean connectionKeepAlive;
    public boolean upgrade;
    public int upgradeIndex = -1;
    public boolean expectContinue;
    /** Index just past the head's final CRLF when done. */
    int headEnd;

    public RequestHead(HttpLimits limits) {
        int n = limits.maxHeaders();
        nameStart = new int[n];
        nameEnd = new int[n];
        valueStart = new int[n];
        valueEnd = new int[n];
        hopByHop = new boolean[n];
    }

    public void reset() {
        status = 0;
        reason = null;
        clearScan();
        requestLineDone = false;
        method = null;
        methodEnd = targetStart = targetEnd = pathStart = pathEnd = 0;
        hasQuery = false;
        authorityStart = authorityEnd = -1;
        version = 0;
        for (int i = 0; i < headerCount; i++) {
            hopByHop[i] = false;
        }
        headerCount = 0;
        hostIndex = -1;
        connectionCount = 0;
        contentLength = -1;
        chunked = connectionClose = connectionKeepAlive = upgrade = expectContinue = false;
        upgradeIndex = -1;
        headEnd = 0;
    }

    /** Bytes from the request's first byte to just past its empty line. */
    public int headLength() {
        return headEnd - start;
    }

    public int headerCount() {
        return headerCount;
    }

    /** Whether the connection stays open after this request's response (RFC 9112 9.3). */
    public boolean keepAlive() {
        return version == 11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /** Whether there is a body to read: a length above zero or chunked. */
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** Dynamic in the thesis' sense (6.3.5): a query string, or a body to process. Counts 2 on the server. */
    public boolean dynamic() {
        return hasQuery || method == Method.POST;
    }

    /** 64-bit FNV-1a of the target's path (the thesis' request target), "/" when the path is empty. */
    public long targetHash() {
        long h = 0xcbf29ce484222325L;
        if (pathEnd == pathStart) {
            return (h ^ '/') * 0x100000001b3L;
        }
        for (int i = pathStart; i < pathEnd; i++) {
            h = (h ^ (buf.getByte(i) & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }

    /**
     * Copies the target's path ("/" when empty) into {@code dst} at {@code off}, at most {@code max} bytes;
     * returns the path's whole length (more than {@code max} when cut short). Allocates nothing.
     */
    public int copyPath(byte[] dst, int off, int max) {
        if (pathEnd == pathStart) {
            if (max > 0) {
                dst[off] = '/';
            }
            return 1;
        }
        int len = pathEnd - pathStart;
        buf.getBytes(pathStart, dst, off, Math.min(len, max));
        return len;
    }

    /** Hash of a header's value (for sh over a header), or 0 when the request has no such field. */
    public long headerHash(byte[] lowerName) {
        int i = find(lowerName);
        if (i < 0) {
            return 0;
        }
        long h = 0xcbf29ce484222325L;
        for (int p = valueStart[i]; p < valueEnd[i]; p++) {
            h = (h ^ (buf.getByte(p) & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }

    /** Index of the first field with this (lower-case) name, or -1. */
    public int find(byte[] lowerName) {
        for (int i = 0; i < headerCount; i++) {
            if (nameIs(i, lowerName)) {
                return i;
            }
        }
        return -1;
    }

    boolean nameIs(int i, byte[] lowerName) {
        return HttpSyntax.is(buf, nameStart[i], nameEnd[i], lowerName);
    }

    /** Whether the path starts with these bytes (content rules' path prefix). */
    public boolean pathStartsWith(byte[] prefix) {
        if (pathEnd - pathStart < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (buf.getByte(pathStart + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** The Host field's value (or the absolute-form authority), lower-cased bytes compared with {@code host}. */
    public boolean hostIs(byte[] lowerHost) {
        if (hostIndex < 0) {
            return false;
        }
        int s = valueStart[hostIndex];
        int e = valueEnd[hostIndex];
        // the port does not take part in the comparison
        for (int p = s; p < e; p++) {
            if (buf.getByte(p) == ':' && buf.getByte(s) != '[') {
                e = p;
                break;
            }
        }
        if (e - s != lowerHost.length) {
            return false;
        }
        for (int k = 0; k < lowerHost.length; k++) {
            if (HttpSyntax.lower(buf.getByte(s + k)) != lowerHost[k]) {
                return false;
            }
        }
        return true;
    }

    /** The path as characters, for a content rule's regular expression. */
    public AsciiView pathView(AsciiView view) {
        return view.of(buf, pathStart, pathEnd);
    }

    /** Header {@code i}'s value as characters. */
    public AsciiView valueView(int i, AsciiView view) {
        return view.of(buf, valueStart[i], valueEnd[i]);
    }

    /**
     * Hash of the value of cookie {@code name} in the Cookie fields (RFC 6265 "a=1; b=2"), or 0 when the
     * request does not carry it.
     */
    public long cookieHash(byte[] cookieField, byte[] name) {
        for (int i = 0; i < headerCount; i++) {
            if (!nameIs(i, cookieField)) {
                continue;
            }
            int p = valueStart[i];
            int e = valueEnd[i];
            while (p < e) {
                while (p < e && (buf.getByte(p) == ' ' || buf.getByte(p) == ';')) {
                    p++;
                }
                int ns = p;
                while (p < e && buf.getByte(p) != '=' && buf.getByte(p) != ';') {
                    p++;
                }
                boolean match = p - ns == name.length && p < e && buf.getByte(p) == '=';
                for (int k = 0; match && k < name.length; k++) {
                    match = buf.getByte(ns + k) == name[k];
                }
                int vs = p < e && buf.getByte(p) == '=' ? p + 1 : p;
                p = vs;
                while (p < e && buf.getByte(p) != ';') {
                    p++;
                }
                if (match) {
                    long h = 0xcbf29ce484222325L;
                    for (int q = vs; q < p; q++) {
                        h = (h ^ (buf.getByte(q) & 0xFF)) * 0x100000001b3L;
                    }
                    return h == 0 ? 1 : h;
                }
            }
        }
        return 0;
    }

    // Strings for logs, listings and tests; never on the forwarding path.

    public String path() {
        return pathEnd == pathStart ? "/" : buf.toString(pathStart, pathEnd - pathStart, StandardCharsets.ISO_8859_1);
    }

    public String name(int i) {
        return buf.toString(nameStart[i], nameEnd[i] - nameStart[i], StandardCharsets.ISO_8859_1);
    }

    public String value(int i) {
        return buf.toString(valueStart[i], valueEnd[i] - valueStart[i], StandardCharsets.ISO_8859_1);
    }

    /** The head as it is forwarded: request line, end-to-end fields, nothing hop-by-hop. */
    public String forwardedForm() {
        StringBuilder sb = new StringBuilder();
        sb.append(buf.toString(start, lineEnd(start) - start, StandardCharsets.ISO_8859_1)).append("\r\n");
        for (int i = 0; i < headerCount; i++) {
            if (!hopByHop[i]) {
                sb.append(name(i)).append(": ").append(value(i)).append("\r\n");
            }
        }
        return sb.append("\r\n").toString();
    }

    /** Writes the forwarded head (see {@link #forwardedForm}) to {@code out}, byte ranges only. */
    public void writeForwarded(ByteBuf out, boolean addKeepAlive) {
        writeForwarded(out, addKeepAlive, null);
    }

    /** As {@link #writeForwarded(ByteBuf, boolean)}, with one more field line (CRLF included) added. */
    public void writeForwarded(ByteBuf out, boolean addKeepAlive, byte[] extraLine) {
        writeForwarded(out, addKeepAlive, extraLine, false);
    }

    /**
     * As {@link #writeForwarded(ByteBuf, boolean, byte[])}; with {@code upgrade} the request's {@code Upgrade}
     * field goes on, with {@code Connection: upgrade}, for a server that may switch protocols (websocket).
     */
    public void writeForwarded(ByteBuf out, boolean addKeepAlive, byte[] extraLine, boolean upgrade) {
        int rl = lineEnd(start);
        out.writeBytes(buf, start, rl + 2 - start);
        for (int i = 0; i < headerCount; i++) {
            if (!hopByHop[i] || upgrade && i == upgradeIndex) {
                out.writeBytes(buf, nameStart[i], nameEnd[i] - nameStart[i]);
                out.writeByte(':').writeByte(' ');
                out.writeBytes(buf, valueStart[i], valueEnd[i] - valueStart[i]);
                out.writeByte('\r').writeByte('\n');
            }
        }
        if (extraLine != null) {
            out.writeBytes(extraLine);
        }
        if (upgrade && upgradeIndex >= 0) {
            out.writeBytes(CONNECTION_UPGRADE);
        } else if (addKeepAlive) {
            out.writeBytes(KEEP_ALIVE);
        }
        out.writeByte('\r').writeByte('\n');
    }

    private static final byte[] KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CONNECTION_UPGRADE = "Connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);

    private int lineEnd(int from) {
        int p = from;
        while (buf.getByte(p) != '\r') {
            p++;
        }
        return p;
    }
}
