package org.jvs.proxy.http;

/**
 * How much of a request head the switch reads before refusing it. The defaults are HAProxy's: a 16 kB
 * buffer less its 1 kB rewrite reserve for the whole head, and 101 header fields ({@code tune.http.maxhdr}).
 *
 * @param maxRequestLine longest request line, CRLF excluded (longer: 414)
 * @param maxHeadBytes   longest head, request line and every field (longer: 431)
 * @param maxHeaders     most header fields (more: 431)
 */
public record HttpLimits(int maxRequestLine, int maxHeadBytes, int maxHeaders) {

    public static final HttpLimits DEFAULT = new HttpLimits(8192, 15360, 101);

    public HttpLimits {
        if (maxRequestLine < 16 || maxHeadBytes < maxRequestLine || maxHeaders < 1 || maxHeaders > 1000) {
            throw new IllegalArgumentException("HTTP limits: request line >= 16, head >= request line, 1..1000 headers"
                    + " (got " + maxRequestLine + ", " + maxHeadBytes + ", " + maxHeaders + ")");
        }
    }
}
