package org.jvs.director.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The control API's transport: HTTP/1.1 with JSON bodies, one request per connection, on a Unix domain
 * socket (mode 0600 in a 0700 directory: only the director's user may drive it) or on TCP, where every
 * request must carry {@code Authorization: Bearer <token>}. Control traffic is rare and small, so each
 * connection gets a virtual thread and plain blocking I/O; nothing here touches a data path.
 */
public final class ControlServer implements AutoCloseable {
    /** Largest request accepted: a restore of many thousand rules fits, a runaway client does not. */
    static final int MAX_BODY = 8 << 20;
    private static final int MAX_HEADER = 16 << 10;

    /** One request; {@code caller} is who the transport says sent it. */
    public record Request(String method, String path, Map<String, String> headers, String body, Caller caller) {
        public Request(String method, String path, Map<String, String> headers, String body) {
            this(method, path, headers, body, Caller.LOCAL);
        }

        public Request as(Caller who) {
            return new Request(method, path, headers, body, who);
        }
    }

    public record Response(int status, String contentType, String body, Map<String, String> headers) {
        public Response(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }

        public static Response json(int status, String body) {
            return new Response(status, "application/json", body);
        }

        public static Response error(int status, String message) {
            if (status == 401) {
                return new Response(401, "application/json", "{\"error\":" + Json.quote(message) + "}",
                        Map.of("WWW-Authenticate", "Bearer realm=\"jvs\""));
            }
            return json(status, "{\"error\":" + Json.quote(message) + "}");
        }
    }

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request);
    }

    private final ServerSocketChannel server;
    private final Handler handler;
    private final byte[] token;
    private final Path socketFile;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(ServerSocketChannel server, Handler handler, String token, Path socketFile, String name) {
        this.server = server;
        this.handler = handler;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.socketFile = socketFile;
        this.acceptor = Thread.ofPlatform().daemon().name(name).start(this::acceptLoop);
    }

    /** Listens on a Unix socket; refuses if another director already answers there. */
    public static ControlServer unix(Path socket, Handler handler) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("another JVS director is already listening on " + socket);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another JVS director")) {
                    throw e;
                }
                Files.delete(socket); // stale: left by a director that died
                System.getLogger("org.jvs.director").log(System.Logger.Level.INFO,
                        "removed the stale control socket " + socket + " (no director answered on it)");
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return new ControlServer(ch, handler, null, socket, "jvs-control-unix");
    }

    /** Listens on TCP; every request must present the bearer token. */
    public static ControlServer tcp(InetSocketAddress address, String token, Handler handler) throws IOException {
        if (token == null || token.isBlank()) {
            throw new IOException("a TCP control listener needs a non-empty bearer token");
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(address);
        return new ControlServer(ch, handler, token.strip(), null, "jvs-control-tcp");
    }

    public SocketAddress address() throws IOException {
        return server.getLocalAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("jvs-control-conn").start(() -> serve(c));
            } catch (IOException e) {
                if (!closed) {
                    System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "control API accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            exchange(in, out, this::caller, handler);
        } catch (IOException e) {
            // the client went away; nothing to tell it
        }
    }

    /** How a transport tells who sent a request: null refuses it with 401. */
    @FunctionalInterface
    interface Authenticator {
        Caller caller(Request request);
    }

    /** One request and its answer, on any transport: read, authenticate, handle, write. */
    static void exchange(InputStream in, OutputStream out, Authenticator auth, Handler handler) throws IOException {
        exchange(in, out, auth, handler, MAX_BODY);
    }

    /**
     * The same, authenticating as soon as the head is read: a caller without a valid token never gets its body
     * read (up to {@code maxBody}, and {@link #MAX_BODY} only for {@code POST /v1/ipvsadm}, whose {@code -R}
     * carries whole rule sets).
     */
    static void exchange(InputStream in, OutputStream out, Authenticator auth, Handler handler, int maxBody) throws IOException {
        Response r;
        try {
            Request head = readHead(in);
            Caller who = auth.caller(head);
            if (who == null) {
                r = Response.error(401, "missing or wrong bearer token");
            } else {
                int limit = head.method().equals("POST") && head.path().startsWith("/v1/ipvsadm") ? MAX_BODY : Math.min(maxBody, MAX_BODY);
                r = handler.handle(readBody(in, head, limit).as(who));
            }
        } catch (BadRequest e) {
            r = Response.error(400, e.getMessage());
        } catch (RuntimeException e) {
            r = Response.error(500, "internal error: " + e);
        }
        write(out, r);
    }

    private Caller caller(Request req) {
        if (token == null) {
            return Caller.LOCAL;
        }
        String h = req.headers().getOrDefault("authorization", "");
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return MessageDigest.isEqual(token, h.substring(7).strip().getBytes(StandardCharsets.UTF_8))
                ? new Caller("control_tcp token", true) : null;
    }

    public static final class BadRequest extends Exception {
        BadRequest(String m) {
            super(m);
        }
    }

    static Request read(InputStream in) throws IOException, BadRequest {
        return readBody(in, readHead(in), MAX_BODY);
    }

    /** The request line and headers; the body is still unread (empty here). */
    public static Request readHead(InputStream in) throws IOException, BadRequest {
        String requestLine = line(in);
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest("malformed request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            String h = line(in);
            total += h.length();
            if (total > MAX_HEADER) {
                throw new BadRequest("headers too large");
            }
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest("malformed header");
            }
            headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        return new Request(parts[0], parts[1], headers, "");
    }

    /** {@code head} with its body, at most {@code limit} bytes. */
    public static Request readBody(InputStream in, Request head, int limit) throws IOException, BadRequest {
        int length = 0;
        if (head.headers().containsKey("content-length")) {
            try {
                length = Integer.parseInt(head.headers().get("content-length"));
            } catch (NumberFormatException e) {
                throw new BadRequest("bad Content-Length");
            }
            if (length < 0 || length > limit) {
                throw new BadRequest("body larger than " + limit + " bytes");
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new BadRequest("body shorter than Content-Length");
        }
        return new Request(head.method(), head.path(), head.headers(), new String(body, StandardCharsets.UTF_8), head.caller());
    }

    private static String line(InputStream in) throws IOException, BadRequest {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new BadRequest("connection closed mid-request");
            }
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > MAX_HEADER) {
                throw new BadRequest("line too long");
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    public static void write(OutputStream out, Response r) throws IOException {
        write(out, r, false);
    }

    /** The answer; {@code keepAlive} leaves the connection open for the next request (the console's pages). */
    public static void write(OutputStream out, Response r, boolean keepAlive) throws IOException {
        write(out, r.status(), r.contentType(), r.headers(), r.body().getBytes(StandardCharsets.UTF_8), keepAlive);
    }

    /** An answer with a body of bytes (the console's compressed files). */
    public static void write(OutputStream out, int status, String contentType, Map<String, String> headers, byte[] body,
            boolean keepAlive) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\nContent-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
        for (var h : headers.entrySet()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("\r\n");
        // one write: head and body in the same TLS records and segments (two small writes meet Nagle's
        // algorithm and the peer's delayed ACK, 40 ms a response)
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        out.write(all);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
        }
    }
}
