package org.jvs.proxy.http;

/** The request methods the switch knows by name; any other token is {@link #OTHER} and forwarded as is. */
public enum Method {
    GET(true), HEAD(true), POST(false), PUT(true), DELETE(true), OPTIONS(true), TRACE(true), CONNECT(false),
    PATCH(false), OTHER(false);

    private final boolean idempotent;

    Method(boolean idempotent) {
        this.idempotent = idempotent;
    }

    /** RFC 9110 9.2.2: a request that may be sent again when a pooled connection died before answering. */
    public boolean idempotent() {
        return idempotent;
    }
}
