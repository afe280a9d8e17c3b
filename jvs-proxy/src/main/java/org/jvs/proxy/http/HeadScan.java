package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * The line scanner both head parsers share: it walks the bytes once, however they arrive, insists on
 * CRLF line ends, refuses controls, and hands each complete line to {@link #line}. State lives in the
 * head ({@link HeadState}), so one parser serves any number of connections.
 */
abstract class HeadScan<H extends HeadState> {

    static final int NEED_MORE = 0;
    static final int DONE = 1;
    static final int REJECT = -1;

    /** Scans on from the head's position; DONE, REJECT, or NEED_MORE when the bytes run out. */
    final int scan(ByteBuf buf, H h) {
        int end = buf.writerIndex();
        int p = h.pos;
        while (p < end) {
            byte b = buf.getByte(p);
            if (b == '\r') {
                if (p + 1 >= end) {
                    break;
                }
                if (buf.getByte(p + 1) != '\n') {
                    return malformed(h, "bare CR");
                }
                int r = line(h, h.lineStart, p);
                if (r != NEED_MORE) {
                    return r;
                }
                p += 2;
                h.lineStart = p;
                continue;
            }
            if (b == '\n') {
                return malformed(h, "bare LF");
            }
            if ((b & 0xFF) < 0x20 && b != '\t' || b == 0x7F) {
                return malformed(h, "control character");
            }
            p++;
            int r = length(h, p - h.start);
            if (r != NEED_MORE) {
                return r;
            }
        }
        h.pos = p;
        return NEED_MORE;
    }

    /** One complete line [s, e), CRLF excluded. */
    abstract int line(H h, int s, int e);

    /** Refuses a malformed head (the status is the parser's: 400 for a request, 502 for a response). */
    abstract int malformed(H h, String reason);

    /** NEED_MORE while a head of {@code length} bytes so far is within the limits, else REJECT. */
    abstract int length(H h, int length);
}
