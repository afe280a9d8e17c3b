package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** The switch's own answers, built once: a status line, an empty body and {@code Connection: close}. */
final class ErrorResponses {

    private static final ByteBuf[] BY_STATUS = new ByteBuf[600];

    static {
        add(400, "Bad Request");
        add(408, "Request Timeout");
        add(414, "URI Too Long");
        add(417, "Expectation Failed");
        add(431, "Request Header Fields Too Large");
        add(501, "Not Implemented");
        add(502, "Bad Gateway");
        add(503, "Service Unavailable");
        add(504, "Gateway Timeout");
        add(505, "HTTP Version Not Supported");
    }

    private ErrorResponses() {
    }

    private static void add(int status, String reason) {
        String s = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        BY_STATUS[status] = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A fresh view of the response for {@code status} (400 for one not in the table). */
    static ByteBuf of(int status) {
        ByteBuf b = status >= 0 && status < BY_STATUS.length ? BY_STATUS[status] : null;
        return (b == null ? BY_STATUS[400] : b).duplicate();
    }
}
