package org.jvs.director.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Calls the control API: over its Unix socket (what {@code jvsadm} uses on the director's machine and the
 * tests use), or over HTTPS with a bearer token ({@link Https}: {@code jvsadm} on another machine).
 */
public final class ControlClient {
    /** Where a jvsadm command goes. */
    public sealed interface Endpoint permits Unix, Https {
    }

    /** The director's Unix socket. */
    public record Unix(Path socket) implements Endpoint {
        @Override
        public String toString() {
            return socket.toString();
        }
    }

    /**
     * The HTTPS API ({@code api:}): {@code base} such as {@code https://director:9443}, the bearer token, and the
     * PEM certificate to trust ({@code null}: the JDK's trust store, for a certificate from a public CA).
     */
    public record Https(java.net.URI base, String token, Path caCertificate) implements Endpoint {
        @Override
        public String toString() {
            return base.toString();
        }
    }

    /**
     * The endpoint the environment names: {@code JVS_API} (an https URL) with {@code JVS_API_TOKEN_FILE} or
     * {@code JVS_API_TOKEN} and optionally {@code JVS_API_CACERT}; without {@code JVS_API}, the Unix socket.
     */
    public static Endpoint fromEnvironment(Map<String, String> env, Path socket) {
        String api = env.get("JVS_API");
        if (api == null || api.isBlank()) {
            return new Unix(socket);
        }
        java.net.URI base;
        try {
            base = java.net.URI.create(api.strip().replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JVS_API '" + api + "' is not a URL: " + e.getMessage());
        }
        if (!"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("JVS_API must be https://host:port (the director's api: listener), not '" + api + "'");
        }
        String token = env.get("JVS_API_TOKEN");
        String file = env.get("JVS_API_TOKEN_FILE");
        if (file != null && !file.isBlank()) {
            try {
                token = Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("JVS_API_TOKEN_FILE " + file + " cannot be read: " + e.getMessage());
            }
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("JVS_API is set but no token: set JVS_API_TOKEN_FILE (or JVS_API_TOKEN);"
                    + " bin/jvs token NAME makes one");
        }
        String ca = env.get("JVS_API_CACERT");
        return new Https(base, token, ca == null || ca.isBlank() ? null : Path.of(ca));
    }

    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /**
     * Sends one request for a jvsadm command; on failure prints why, as jvsadm words it, to {@code err} and
     * returns null (the command then exits 2).
     */
    public static ControlServer.Response callFromCli(Path socket, String method, String path, String jsonBody, java.io.PrintStream err) {
        return callFromCli(new Unix(socket), method, path, jsonBody, err);
    }

    /** The same, to either kind of endpoint. */
    public static ControlServer.Response callFromCli(Endpoint to, String method, String path, String jsonBody, java.io.PrintStream err) {
        try {
            return switch (to) {
                case Unix u -> new ControlClient(u.socket()).call(method, path, jsonBody);
                case Https h -> https(h, method, path, jsonBody);
            };
        } catch (NotRunning e) {
            err.println("jvsadm: " + e.getMessage());
        } catch (javax.net.ssl.SSLException e) {
            err.println("jvsadm: TLS with " + to + " failed: " + e.getMessage()
                    + " (JVS_API_CACERT names the certificate to trust, e.g. the director's /var/lib/jvs/jvs-api.crt)");
        } catch (IOException e) {
            err.println("jvsadm: talking to the director at " + to + ": " + e.getMessage());
        }
        return null;
    }

    private static ControlServer.Response https(Https h, String method, String path, String jsonBody) throws IOException {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(5));
        if (h.caCertificate() != null) {
            b.sslContext(trusting(h.caCertificate()));
        }
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base() + path))
                .timeout(java.time.Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + h.token())
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(jsonBody))
                .build();
        try (java.net.http.HttpClient c = b.build()) {
            var r = c.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new ControlServer.Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
        } catch (java.net.ConnectException e) {
            throw new IOException("no JVS director answers at " + h.base() + " (connection refused)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static javax.net.ssl.SSLContext trusting(Path pem) throws IOException {
        try (var in = Files.newInputStream(pem)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, cert);
            }
            if (i == 0) {
                throw new IOException("JVS_API_CACERT " + pem + " holds no certificate");
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("JVS_API_CACERT " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JSON of a director's answer for a jvsadm command; on unreadable JSON prints so to {@code err} and
     * returns null (the command then exits 2).
     */
    public static Object answerFromCli(ControlServer.Response r, java.io.PrintStream err) {
        try {
            return Json.parse(r.body());
        } catch (IllegalArgumentException e) {
            err.println("jvsadm: unreadable answer from the director (HTTP " + r.status() + ")");
            return null;
        }
    }

    /** Sends one request; throws {@link NotRunning} when no director listens on the socket. */
    public ControlServer.Response call(String method, String path, String jsonBody) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new NotRunning(socket, e);
        }
        try (ch; OutputStream out = Channels.newOutputStream(ch); InputStream in = Channels.newInputStream(ch)) {
            byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: jvs\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            if (!all.startsWith("HTTP/1.1 ") || split < 0) {
                throw new IOException("malformed answer from the director");
            }
            int status = Integer.parseInt(all.substring(9, 12));
            String type = "application/json";
            for (String h : all.substring(0, split).split("\r\n")) {
                if (h.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    type = h.substring(13).strip();
                }
            }
            return new ControlServer.Response(status, type, all.substring(split + 4));
        }
    }

    /** No director answers on the socket. */
    public static final class NotRunning extends IOException {
        NotRunning(Path socket, IOException cause) {
            super("no JVS director is running on " + socket + " (start one with: bin/jvs director --config FILE)", cause);
        }
    }
}
