package org.jvs.health;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * keepalived's HTTP_GET and SSL_GET: one {@code GET} over HTTP/1.1 with {@code Connection: close}; up when
 * the status is in the expected ranges (default 200-299) and, if given, the body's MD5 equals
 * {@code digest} (as keepalived's genhash prints it) and the body matches {@code regex}. HTTPS trusts any
 * certificate unless a CA file is given (keepalived's default), sends SNI when asked, never checks the host
 * name (the server is addressed by IP).
 *
 * @param virtualHost the Host header; null: the address and port probed
 * @param sni         the TLS server name to send; null: none
 * @param caFile      PEM certificates to trust; null: trust all
 */
public record HttpChecker(boolean tls, String path, List<StatusRange> status, String digest, String regex,
                          String virtualHost, String sni, Path caFile, int port) implements Checker {

    /** Bodies are read (for digest or regex) up to this size; a larger one fails the check. */
    static final int MAX_BODY = 4 << 20;

    /** An inclusive range of status codes; {@code 200-299} or {@code 503}. */
    public record StatusRange(int from, int to) {
        public StatusRange {
            if (from < 100 || to > 999 || from > to) {
                throw new IllegalArgumentException("status range " + from + "-" + to + " outside 100..999");
            }
        }

        public static StatusRange parse(String s) {
            String t = s.strip();
            int dash = t.indexOf('-');
            try {
                return dash < 0 ? new StatusRange(Integer.parseInt(t), Integer.parseInt(t))
                        : new StatusRange(Integer.parseInt(t.substring(0, dash).strip()), Integer.parseInt(t.substring(dash + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("status code '" + s + "' is not a number or a range such as 200-299");
            }
        }

        boolean contains(int code) {
            return code >= from && code <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    public static final List<StatusRange> DEFAULT_STATUS = List.of(new StatusRange(200, 299));

    public HttpChecker {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
        }
        status = status == null || status.isEmpty() ? DEFAULT_STATUS : List.copyOf(status);
        if (digest != null) {
            digest = digest.strip().toLowerCase(Locale.ROOT);
            if (!digest.matches("[0-9a-f]{32}")) {
                throw new IllegalArgumentException("digest must be 32 hexadecimal digits (an MD5, as genhash prints), got '" + digest + "'");
            }
        }
        if (regex != null) {
            Pattern.compile(regex); // a bad pattern is a configuration error, not a failed check
        }
        if (sni != null && !tls) {
            throw new IllegalArgumentException("sni needs type https");
        }
        if (caFile != null && !tls) {
            throw new IllegalArgumentException("ca_file needs type https");
        }
    }

    @Override
    public String type() {
        return tls ? "https" : "http";
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        Probes.Deadline d = Probes.Deadline.after(timeout);
        long start = System.nanoTime();
        String step = "connect";
        try (Socket plain = new Socket()) {
            plain.connect(target, Probes.millis(timeout));
            Socket s = plain;
            if (tls) {
                step = "TLS handshake";
                SSLSocket ssl = (SSLSocket) Tls.context(caFile).getSocketFactory()
                        .createSocket(plain, target.getAddress().getHostAddress(), target.getPort(), true);
                SSLParameters p = ssl.getSSLParameters();
                p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
                ssl.setSSLParameters(p);
                d.arm(ssl);
                ssl.startHandshake();
                s = ssl;
            }
            step = "request";
            String host = virtualHost != null ? virtualHost : hostHeader(target);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: jvs-health\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            step = "response";
            InputStream in = new BufferedInputStream(s.getInputStream());
            String statusLine = Probes.readLine(s, in, d, 8192);
            if (statusLine == null) {
                return CheckResult.down("connection closed before a response");
            }
            int code = statusCode(statusLine);
            if (code < 0) {
                return CheckResult.down("not an HTTP response: '" + Reasons.brief(statusLine) + "'");
            }
            long contentLength = -1;
            boolean chunked = false;
            for (String h; (h = Probes.readLine(s, in, d, 8192)) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    String value = h.substring(colon + 1).strip();
                    if (name.equals("content-length")) {
                        contentLength = parseLength(value);
                    } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                        chunked = true;
                    }
                }
            }
            if (status.stream().noneMatch(r -> r.contains(code))) {
                return CheckResult.down("status " + code + " not in " + ranges());
            }
            if (digest == null && regex == null) {
                return CheckResult.up("status " + code + " in " + Probes.elapsed(start));
            }
            step = "body";
            byte[] body = chunked ? dechunk(s, in, d) : readBody(s, in, d, contentLength);
            if (digest != null) {
                String got = md5(body);
                if (!got.equals(digest)) {
                    return CheckResult.down("digest mismatch: got " + got + ", expected " + digest);
                }
            }
            if (regex != null && !Pattern.compile(regex).matcher(new String(body, StandardCharsets.UTF_8)).find()) {
                return CheckResult.down("body does not match regex /" + regex + "/");
            }
            return CheckResult.up("status " + code + (digest != null ? ", digest ok" : "") + (regex != null ? ", regex ok" : "")
                    + " in " + Probes.elapsed(start));
        } catch (IOException e) {
            return CheckResult.down(Reasons.of(step, e, timeout));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CheckResult.down(step + ": " + Reasons.brief(e.getMessage()));
        }
    }

    private String ranges() {
        return status.stream().map(StatusRange::toString).collect(Collectors.joining(" ", "[", "]"));
    }

    private static String hostHeader(InetSocketAddress t) {
        String a = t.getAddress().getHostAddress();
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + t.getPort();
    }

    private static int statusCode(String line) {
        String[] w = line.split(" ", 3);
        if (w.length < 2 || !w[0].startsWith("HTTP/") || w[1].length() != 3) {
            return -1;
        }
        try {
            return Integer.parseInt(w[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long parseLength(String v) throws IOException {
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new IOException("negative Content-Length");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length '" + Reasons.brief(v) + "'");
        }
    }

    /** Content-Length bytes, or everything up to the end of the stream when it is -1. */
    private static byte[] readBody(Socket s, InputStream in, Probes.Deadline d, long length) throws IOException {
        if (length > MAX_BODY) {
            throw new IOException("body larger than " + MAX_BODY + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (length < 0 || out.size() < length) {
            d.arm(s);
            int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - out.size());
            int n = in.read(buf, 0, want);
            if (n < 0) {
                if (length >= 0) {
                    throw new IOException("body ended after " + out.size() + " of " + length + " bytes");
                }
                break;
            }
            out.write(buf, 0, n);
            if (out.size() > MAX_BODY) {
                throw new IOException("body larger than " + MAX_BODY + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static byte[] dechunk(Socket s, InputStream in, Probes.Deadline d) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = Probes.readLine(s, in, d, 1024);
            if (size == null) {
                throw new IOException("chunked body ended early");
            }
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size '" + Reasons.brief(size) + "'");
            }
            if (n == 0) {
                return out.toByteArray();
            }
            if (out.size() + n > MAX_BODY) {
                throw new IOException("body larger than " + MAX_BODY + " bytes");
            }
            out.write(readBody(s, in, d, n));
            Probes.readLine(s, in, d, 2);
        }
    }

    static String md5(byte[] body) {
        try {
            return Probes.hex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
