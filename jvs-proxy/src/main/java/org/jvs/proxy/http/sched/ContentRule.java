package org.jvs.proxy.http.sched;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jvs.proxy.http.AsciiView;
import org.jvs.proxy.http.Method;
import org.jvs.proxy.http.RequestHead;

/**
 * One content rule (thesis 6.3.6, {@code definedServerSet[target]}): a request matches when every
 * condition given matches (host, path prefix, path regular expression, a header's value, method), and is
 * then served by the rule's servers. Matching reads the request's bytes in place; regular expressions run
 * on a per-thread reused matcher.
 *
 * @param servers the rule's server set as bits of the service's server list
 */
public record ContentRule(String name, String host, String pathPrefix, Pattern pathRegex, String header,
                          Pattern headerRegex, Method method, long servers) {

    public ContentRule {
        if (servers == 0) {
            throw new IllegalArgumentException("content rule " + name + " names no server");
        }
        if (header != null && headerRegex == null || header == null && headerRegex != null) {
            throw new IllegalArgumentException("content rule " + name + ": a header condition needs a name and a value pattern");
        }
        if (host == null && pathPrefix == null && pathRegex == null && header == null && method == null) {
            throw new IllegalArgumentException("content rule " + name + " has no condition (use the default servers instead)");
        }
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    private static final ThreadLocal<AsciiView> VIEW = ThreadLocal.withInitial(AsciiView::new);

    /** Precomputed bytes and per-thread matchers; one per rule, built by the control plane. */
    final class Compiled {
        private final byte[] hostBytes = host == null ? null : host.getBytes(StandardCharsets.US_ASCII);
        private final byte[] prefixBytes = pathPrefix == null ? null : pathPrefix.getBytes(StandardCharsets.ISO_8859_1);
        private final byte[] headerBytes = header == null ? null : header.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        private final ThreadLocal<Matcher> pathMatcher = pathRegex == null ? null : ThreadLocal.withInitial(() -> pathRegex.matcher(""));
        private final ThreadLocal<Matcher> headerMatcher = headerRegex == null ? null : ThreadLocal.withInitial(() -> headerRegex.matcher(""));

        boolean matches(RequestHead h) {
            if (method != null && h.method != method) {
                return false;
            }
            if (hostBytes != null && !h.hostIs(hostBytes)) {
                return false;
            }
            if (prefixBytes != null && !h.pathStartsWith(prefixBytes)) {
                return false;
            }
            if (pathMatcher != null && !pathMatcher.get().reset(h.pathView(VIEW.get())).find()) {
                return false;
            }
            if (headerBytes != null) {
                int i = h.find(headerBytes);
                return i >= 0 && headerMatcher.get().reset(h.valueView(i, VIEW.get())).find();
            }
            return true;
        }

        long servers() {
            return servers;
        }
    }

    Compiled compile() {
        return new Compiled();
    }
}
