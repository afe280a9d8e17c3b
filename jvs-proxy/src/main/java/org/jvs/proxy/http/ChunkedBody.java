package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body (RFC 9112 7.1) byte by byte as it streams through, so the switch knows where it
 * ends without buffering it, and refuses the framings that desynchronise a server from its proxy: size
 * lines without hex digits or with more than 15, whitespace or junk before the size, controls or bare
 * CR/LF in an extension, data not followed by CRLF, malformed trailer fields. The bytes are forwarded
 * unchanged; one instance per direction of a connection, {@link #reset} per message.
 */
public final class ChunkedBody {

    public static final int REJECT = -1;

    private static final int SIZE = 0;
    private static final int EXT = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_NAME = 7;
    private static final int TRAILER_VALUE = 8;
    private static final int TRAILER_LF = 9;
    private static final int END_LF = 10;
    private static final int DONE = 11;
    private static final int EXT_BWS = 12;

    private static final int MAX_SIZE_LINE = 4096;

    private final int maxTrailerBytes;
    private int state;
    private long remaining;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    public String reason;

    public ChunkedBody(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    public void reset() {
        state = SIZE;
        remaining = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
        reason = null;
    }

    public boolean done() {
        return state == DONE;
    }

    /**
     * Reads {@code buf} from its reader index without moving it; returns how many bytes belong to the body
     * (all of them, or up to and including its last CRLF), or {@link #REJECT} with {@link #reason} set.
     */
    public int scan(ByteBuf buf) {
        int from = buf.readerIndex();
        int end = buf.writerIndex();
        int p = from;
        while (p < end && state != DONE) {
            if (state == DATA) {
                long n = Math.min(remaining, end - p);
                p += (int) n;
                remaining -= n;
                if (remaining == 0) {
                    state = DATA_CR;
                }
                continue;
            }
            byte b = buf.getByte(p++);
            switch (state) {
                case SIZE -> {
                    int v = hex(b);
                    if (v >= 0) {
                        if (++digits > 15) {
                            return reject("chunk size too large");
                        }
                        remaining = remaining << 4 | v;
                    } else if (digits == 0) {
                        return reject("chunk size without hex digits");
                    } else if (b == ';') {
                        state = EXT;
                    } else if (b == ' ' || b == '\t') {
                        state = EXT_BWS;
                    } else if (b == '\r') {
                        state = SIZE_LF;
                    } else {
                        return reject("invalid chunk size");
                    }
                }
                case EXT_BWS -> {
                    if (b == ';') {
                        state = EXT;
                    } else if (b != ' ' && b != '\t') {
                        return reject("invalid chunk size");
                    }
                }
                case EXT -> {
                    if (b == '\r') {
                        state = SIZE_LF;
                    } else if ((b & 0xFF) < 0x20 && b != '\t' || b == 0x7F) {
                        return reject("control byte in chunk extension");
                    }
                }
                case SIZE_LF -> {
                    if (b != '\n') {
                        return reject("bare CR in chunk size line");
                    }
                    digits = 0;
                    lineBytes = 0;
                    state = remaining == 0 ? TRAILER_START : DATA;
                    continue;
                }
                case DATA_CR -> {
                    if (b != '\r') {
                        return reject("chunk data not followed by CRLF");
                    }
                    state = DATA_LF;
                }
                case DATA_LF -> {
                    if (b != '\n') {
                        return reject("chunk data not followed by CRLF");
                    }
                    state = SIZE;
                    continue;
                }
                case TRAILER_START -> {
                    if (b == '\r') {
                        state = END_LF;
                    } else if (HttpSyntax.tchar(b)) {
                        state = TRAILER_NAME;
                    } else {
                        return reject("malformed trailer field");
                    }
                }
                case TRAILER_NAME -> {
                    if (b == ':') {
                        state = TRAILER_VALUE;
                    } else if (!HttpSyntax.tchar(b)) {
                        return reject("malformed trailer field");
                    }
                }
                case TRAILER_VALUE -> {
                    if (b == '\r') {
                        state = TRAILER_LF;
                    } else if (!HttpSyntax.fieldValue(b)) {
                        return reject("invalid trailer value byte");
                    }
                }
                case TRAILER_LF -> {
                    if (b != '\n') {
                        return reject("bare CR in trailer");
                    }
                    state = TRAILER_START;
                }
                case END_LF -> {
                    if (b != '\n') {
                        return reject("bare CR after last chunk");
                    }
                    state = DONE;
                }
                default -> throw new IllegalStateException("state " + state);
            }
            if (state == TRAILER_START || state == TRAILER_NAME || state == TRAILER_VALUE || state == TRAILER_LF
                    || state == END_LF) {
                if (++trailerBytes > maxTrailerBytes) {
                    return reject("trailer too large");
                }
            } else if (++lineBytes > MAX_SIZE_LINE) {
                return reject("chunk size line too long");
            }
        }
        return p - from;
    }

    private int reject(String why) {
        reason = why;
        return REJECT;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
