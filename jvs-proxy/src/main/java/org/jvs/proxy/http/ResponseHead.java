package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * A server's response head as the switch needs it: status, version, body framing and the connection
 * options, plus the byte ranges of the hop-by-hop lines it must not pass on. Offsets into the server
 * connection's buffer; one per server connection, {@link #reset} per response.
 */
public final class ResponseHead extends HeadState {
    static final int MAX_DROPPED = 16;

    public int status;
    public int version;
    public long contentLength = -1;
    public boolean chunked;
    public boolean connectionClose;
    public boolean connectionKeepAlive;
    /** Why the response was refused (the client gets 502). */
    public String reason;

    boolean statusLineDone;
    int headEnd;
    int fields;
    final int[] dropStart = new int[MAX_DROPPED];
    final int[] dropEnd = new int[MAX_DROPPED];
    int dropped;
    int lengthStart;
    int lengthEnd;

    public void reset() {
        status = version = 0;
        contentLength = -1;
        chunked = connectionClose = connectionKeepAlive = false;
        reason = null;
        clearScan();
        headEnd = fields = dropped = 0;
        statusLineDone = false;
    }

    public int headLength() {
        return headEnd - start;
    }

    /** Whether the server keeps its connection after this response (RFC 9112 9.3). */
    public boolean serverKeepAlive() {
        return version == 11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /** RFC 9112 6.3: which responses have no body whatever their fields say (a 2xx to CONNECT starts a tunnel). */
    public boolean bodyless(Method requestMethod) {
        return requestMethod == Method.HEAD || status < 200 || status == 204 || status == 304
                || requestMethod == Method.CONNECT && status / 100 == 2;
    }

    /** No length and not chunked: the body runs until the server closes. */
    public boolean closeDelimited(Method requestMethod) {
        return !bodyless(requestMethod) && !chunked && contentLength < 0;
    }

    /**
     * Writes the head for the client: everything but the hop-by-hop lines, then the switch's own
     * Connection field ({@code close}, {@code keep-alive} for an HTTP/1.0 client, or nothing).
     */
    public void writeForClient(ByteBuf out, byte[] connectionLine) {
        int p = start;
        for (int i = 0; i < dropped; i++) {
            out.writeBytes(buf, p, dropStart[i] - p);
            p = dropEnd[i];
        }
        out.writeBytes(buf, p, headEnd - 2 - p);
        if (connectionLine != null) {
            out.writeBytes(connectionLine);
        }
        out.writeByte('\r').writeByte('\n');
    }
}
