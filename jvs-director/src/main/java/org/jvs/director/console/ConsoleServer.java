package org.jvs.director.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.jvs.director.api.ApiTls;
import org.jvs.director.api.Caller;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.ControlServer.Request;
import org.jvs.director.api.ControlServer.Response;
import org.jvs.director.api.Json;
import org.jvs.director.api.TlsListener;

/**
 * The browser console ({@code console:}, docs/console.md): the page and its scripts, login and logout, a
 * stream of server-sent events with the director's live state, and the control API's routes under
 * {@code /v1/} for the logged-in user, so a change from the console is validated, refused and logged exactly
 * as one from jvsadm.
 *
 * <p>Defences, each for its attack: passwords as Argon2id or bcrypt hashes checked by at most
 * {@link #HASHES_AT_ONCE} logins at a time (a login flood cannot exhaust memory); a {@link LoginThrottle}; a
 * {@code __Host-} session cookie ({@code Secure; HttpOnly; SameSite=Strict}); a per-session CSRF token in a
 * header on every change, JSON bodies only and a same-origin check (a form on another site can send none of
 * these); a Content-Security-Policy allowing only this origin's scripts, and a page that writes every name and
 * message as text.
 */
public final class ConsoleServer implements AutoCloseable {
    static final String COOKIE = "__Host-jvs_session";
    static final int READ_TIMEOUT_MS = 10_000;
    static final long EXCHANGE_DEADLINE_MS = 20_000;
    /** A live-update write that has not gone out within this cuts the stream (a client that stopped reading). */
    static final long EVENT_WRITE_DEADLINE_MS = 10_000;
    static final int MAX_CONNECTIONS = 64;
    static final int MAX_STREAMS_PER_SESSION = 4;
    /** Live streams in all: the rest of the connections stay free for pages, logins and changes. */
    static final int MAX_STREAMS = 16;
    static final int MAX_BODY = 1 << 20;
    static final int MAX_REQUESTS_PER_CONNECTION = 100;
    static final int HASHES_AT_ONCE = 2;
    /** Live state goes out this often, and at once when the configuration changes. */
    static final long EVENT_PERIOD_MS = 1000;
    private static final long CHANGE_POLL_MS = 50;

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/static/console.js", "console.js",
            "/static/console.css", "console.css",
            "/static/uPlot.iife.min.js", "uPlot.iife.min.js",
            "/static/uPlot.min.css", "uPlot.min.css",
            "/static/uPlot.LICENSE.txt", "uPlot.LICENSE.txt");

    private final TlsListener listener;
    private final ControlServer.Handler api;
    private final LiveState state;
    /** The page's files, as text and gzipped once at start (uPlot's 51 kB go as 23 kB). */
    private record StaticFile(String type, byte[] text, byte[] gzip) {
    }

    private final Map<String, StaticFile> files = new LinkedHashMap<>();
    private final Sessions sessions;
    private final LoginThrottle throttle = new LoginThrottle(System::currentTimeMillis);
    private final Semaphore hashing = new Semaphore(HASHES_AT_ONCE);
    private final History history;
    private volatile PasswordHash decoy = PasswordHash.decoy();
    /** Each session's open streams, oldest first: a reload's new stream ends the oldest one beyond the cap. */
    private final Map<Sessions.Session, java.util.Deque<java.util.concurrent.atomic.AtomicBoolean>> streams =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Semaphore streamSlots = new Semaphore(MAX_STREAMS);
    private volatile Map<String, ConsoleUser> users;
    private volatile List<ConsoleUser> userList;
    private volatile boolean closed;

    private ConsoleServer(InetSocketAddress address, ApiTls tls, List<ConsoleUser> users, Duration idle, ControlServer.Handler api,
            LiveState state) throws IOException {
        this.api = api;
        this.state = state;
        this.sessions = new Sessions(idle, System::nanoTime);
        users(users);
        for (String f : STATIC.values()) {
            try (InputStream in = ConsoleServer.class.getResourceAsStream("static/" + f)) {
                if (in == null) {
                    throw new IOException("console: the page's file " + f + " is missing from the jar");
                }
                byte[] raw = in.readAllBytes();
                var z = new java.io.ByteArrayOutputStream();
                try (var gz = new java.util.zip.GZIPOutputStream(z)) {
                    gz.write(raw);
                }
                files.put(f, new StaticFile(contentType(f), raw, z.toByteArray()));
            }
        }
        this.history = new History(state);
        try {
            this.listener = TlsListener.start("console", address, tls, MAX_CONNECTIONS, READ_TIMEOUT_MS, EXCHANGE_DEADLINE_MS, this::serve);
        } catch (IOException e) {
            history.close();
            throw e;
        }
    }

    public static ConsoleServer start(InetSocketAddress address, ApiTls tls, List<ConsoleUser> users, Duration idleTimeout,
            ControlServer.Handler api, LiveState state) throws IOException {
        return new ConsoleServer(address, tls, users, idleTimeout, api, state);
    }

    public int port() {
        return listener.port();
    }

    public ApiTls tls() {
        return listener.tls();
    }

    public void tls(ApiTls next) {
        listener.tls(next);
    }

    /** The users from a reload; the sessions of users removed or changed end at once. Returns how many ended. */
    public int users(List<ConsoleUser> next) {
        Map<String, ConsoleUser> m = new LinkedHashMap<>();
        for (ConsoleUser u : next) {
            m.put(u.name(), u);
        }
        users = Map.copyOf(m);
        userList = List.copyOf(next);
        // an unknown name is checked against a hash of the first user's kind and cost: the same time
        decoy = next.isEmpty() ? PasswordHash.decoy() : PasswordHash.decoyLike(next.getFirst().password());
        return sessions.retain(next);
    }

    /** In the file's order. */
    public List<ConsoleUser> users() {
        return userList;
    }

    public void idleTimeout(Duration d) {
        sessions.idleTimeout(d);
    }

    /**
     * Requests on one connection: a page and its files come over one TLS session (a new handshake for each
     * would double the page's load time). Only requests without a body keep the connection; each gets its own
     * deadline, and a connection serves {@link #MAX_REQUESTS_PER_CONNECTION} at most.
     */
    private void serve(SSLSocket socket, InputStream in, OutputStream out, TlsListener.Deadline deadline) throws IOException {
        String peer = socket.getInetAddress().getHostAddress();
        for (int n = 1; ; n++) {
            if (n > 1) {
                deadline.in(EXCHANGE_DEADLINE_MS);
            }
            Response r;
            boolean keepAlive = false;
            try {
                Request head = ControlServer.readHead(in);
                keepAlive = n < MAX_REQUESTS_PER_CONNECTION && !head.headers().containsKey("content-length")
                        && !head.headers().containsKey("transfer-encoding")
                        && !"close".equalsIgnoreCase(head.headers().getOrDefault("connection", ""));
                StaticFile file = files.get(STATIC.getOrDefault(pathOf(head), ""));
                if (file != null && head.method().equals("GET")) {
                    boolean gzip = head.headers().getOrDefault("accept-encoding", "").contains("gzip");
                    Map<String, String> h = new LinkedHashMap<>(SECURITY_HEADERS);
                    if (gzip) {
                        h.put("Content-Encoding", "gzip");
                    }
                    h.put("Vary", "Accept-Encoding");
                    ControlServer.write(out, 200, file.type(), h, gzip ? file.gzip() : file.text(), keepAlive);
                    if (!keepAlive) {
                        return;
                    }
                    continue;
                }
                r = file != null ? Response.error(405, pathOf(head) + " takes GET") : route(head, in, out, peer, deadline);
                if (r == null) {
                    return; // an event stream, answered and ended by events()
                }
            } catch (ControlServer.BadRequest e) {
                if (n > 1 && e.getMessage().equals("connection closed mid-request")) {
                    return; // the client closed a kept connection between requests: nothing was asked
                }
                r = Response.error(400, e.getMessage());
                keepAlive = false;
            } catch (RuntimeException e) {
                r = Response.error(500, "internal error: " + e);
                keepAlive = false;
            }
            ControlServer.write(out, secured(r), keepAlive);
            if (!keepAlive) {
                return;
            }
        }
    }

    private Response route(Request head, InputStream in, OutputStream out, String peer, TlsListener.Deadline deadline)
            throws IOException, ControlServer.BadRequest {
        int q = head.path().indexOf('?');
        String path = q < 0 ? head.path() : head.path().substring(0, q);
        if (path.equals("/login")) {
            if (!head.method().equals("POST")) {
                return Response.error(405, "/login takes POST");
            }
            Refusal refused = sameOriginJson(head);
            return refused != null ? refused.response() : login(ControlServer.readBody(in, head, 4096), peer);
        }
        // the event stream and the page's probe after a broken stream are not the user's activity
        boolean probe = path.equals("/events") || (path.equals("/session") && q >= 0 && head.path().substring(q + 1).equals("probe"));
        Sessions.Session s = sessions.find(cookie(head), !probe);
        if (s == null) {
            return Response.error(401, "not logged in (or the session has ended)");
        }
        boolean changes = !head.method().equals("GET") && !head.method().equals("HEAD");
        if (changes) {
            Refusal refused = sameOriginJson(head);
            if (refused == null && !s.csrfMatches(head.headers().get("x-csrf-token"))) {
                refused = new Refusal(403, "missing or wrong CSRF token (X-CSRF-Token): reload the console");
            }
            if (refused != null) {
                audit("refused (" + refused.reason() + "): " + head.method() + " " + path + " from " + s.user.name() + " at " + peer);
                return refused.response();
            }
        }
        switch (path) {
            case "/session" -> {
                return head.method().equals("GET") ? Response.json(200, sessionJson(s)) : Response.error(405, "/session takes GET");
            }
            case "/logout" -> {
                if (!changes) {
                    return Response.error(405, "/logout takes POST");
                }
                sessions.remove(s);
                audit("console logout " + s.user.name() + " from " + peer);
                return new Response(200, "application/json", "{\"logged_out\":true}",
                        Map.of("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"));
            }
            case "/events" -> {
                if (!head.method().equals("GET")) {
                    return Response.error(405, "/events takes GET");
                }
                return events(s, out, deadline);
            }
            default -> {
                if (!path.startsWith("/v1/")) {
                    return Response.error(404, "no page " + path);
                }
                Request full = ControlServer.readBody(in, head, MAX_BODY);
                return api.handle(full.as(new Caller(s.user.name() + " (console)", s.user.readWrite())));
            }
        }
    }

    private record Refusal(int status, String reason) {
        Response response() {
            return Response.error(status, reason);
        }
    }

    /** A change must be JSON from this origin: a cross-site form can send neither (no CORS here to allow it). */
    private static Refusal sameOriginJson(Request head) {
        String type = head.headers().getOrDefault("content-type", "");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return new Refusal(415, "changes take Content-Type: application/json");
        }
        String origin = head.headers().get("origin");
        String host = head.headers().get("host");
        if (origin != null && !origin.equals("https://" + host)) {
            return new Refusal(403, "cross-origin request refused (Origin " + printable(origin) + ")");
        }
        return null;
    }

    private Response login(Request req, String peer) {
        String user;
        char[] password;
        try {
            if (!(Json.parse(req.body()) instanceof Map<?, ?> m) || !(m.get("user") instanceof String u) || !(m.get("password") instanceof String p)) {
                return Response.error(400, "expected {\"user\": \"...\", \"password\": \"...\"}");
            }
            user = u;
            password = p.toCharArray();
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
        long wait = throttle.attempt(peer, user); // counted now, as a failure until it succeeds
        if (wait > 0) {
            long seconds = (wait + 999) / 1000;
            audit("console login throttled for " + printable(user) + " from " + peer + " (" + seconds + " s to wait)");
            return new Response(429, "application/json", "{\"error\":" + Json.quote("too many failed logins: try again in " + seconds + " s")
                    + ",\"retry_after_s\":" + seconds + "}", Map.of("Retry-After", Long.toString(seconds)));
        }
        ConsoleUser u = users.get(user);
        boolean ok;
        try {
            if (!hashing.tryAcquire(5, TimeUnit.SECONDS)) {
                return new Response(503, "application/json", "{\"error\":\"logins are busy: try again\"}", Map.of("Retry-After", "1"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.error(503, "shutting down");
        }
        try {
            if (u != null) {
                ok = u.password().matches(password);
            } else {
                decoy.matches(password); // an unknown name costs one hash as well: timing tells no names
                ok = false;
            }
        } finally {
            hashing.release();
            java.util.Arrays.fill(password, '\0');
        }
        if (!ok) {
            audit("console login refused for " + printable(user) + " from " + peer + " (wrong user name or password)");
            return Response.error(401, "wrong user name or password");
        }
        throttle.succeeded(peer, user);
        Sessions.Session s = sessions.create(u);
        audit("console login " + u.name() + " (" + (u.readWrite() ? "read-write" : "read-only") + ") from " + peer);
        return new Response(200, "application/json", sessionJson(s),
                Map.of("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; Secure; HttpOnly; SameSite=Strict"));
    }

    private String sessionJson(Sessions.Session s) {
        return "{\"user\":" + Json.quote(s.user.name()) + ",\"access\":" + Json.quote(s.user.readWrite() ? "read-write" : "read-only")
                + ",\"csrf\":" + Json.quote(s.csrf) + ",\"idle_timeout_s\":" + sessions.idleTimeout().toSeconds() + "}";
    }

    /**
     * Server-sent events until the session ends or the client goes: {@code history} once (the last minutes'
     * rates, for the charts), then {@code state} every {@link #EVENT_PERIOD_MS} and at once after a change,
     * and {@code logout} when the session ends.
     */
    private Response events(Sessions.Session s, OutputStream out, TlsListener.Deadline deadline) throws IOException {
        var ended = new java.util.concurrent.atomic.AtomicBoolean();
        synchronized (streams) {
            // a page reloaded, or a tab closed, leaves its stream open until a write fails: the session's
            // newest stream ends its oldest rather than being refused
            var mine = streams.computeIfAbsent(s, k -> new java.util.ArrayDeque<>());
            while (mine.size() >= MAX_STREAMS_PER_SESSION) {
                mine.pollFirst().set(true);
            }
            if (!streamSlots.tryAcquire()) {
                if (mine.isEmpty()) {
                    streams.remove(s);
                }
                return Response.error(429, "at most " + MAX_STREAMS + " live streams at once: close some console tabs");
            }
            mine.addLast(ended);
        }
        try {
            deadline.cancel(); // this exchange lasts; each write gets its own deadline instead
            send(out, deadline, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n"
                    + "X-Content-Type-Options: nosniff\r\n\r\nretry: 2000\n\n");
            send(out, deadline, event("history", history.json()));
            long lastGeneration = Long.MIN_VALUE;
            long lastSent = 0;
            while (!closed && !ended.get()) {
                if (!sessions.live(s)) {
                    send(out, deadline, event("logout", "{}"));
                    return null;
                }
                long g = state.generation();
                long now = System.nanoTime();
                if (g != lastGeneration || now - lastSent >= EVENT_PERIOD_MS * 1_000_000) {
                    send(out, deadline, event("state", state.json()));
                    lastGeneration = g;
                    lastSent = now;
                }
                try {
                    Thread.sleep(CHANGE_POLL_MS); // a virtual thread: sleeping costs no carrier
                } catch (InterruptedException e) {
                    return null;
                }
            }
            if (ended.get()) {
                send(out, deadline, event("superseded", "{}")); // the page stops reconnecting: no tab ping-pong
            }
            return null;
        } catch (RuntimeException e) {
            // the answer's head is out: an error can only end the stream (the page reconnects)
            System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "console event stream failed: " + e);
            return null;
        } finally {
            synchronized (streams) {
                var mine = streams.get(s);
                if (mine != null) {
                    mine.remove(ended);
                    if (mine.isEmpty()) {
                        streams.remove(s);
                    }
                }
            }
            streamSlots.release();
        }
    }

    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json.replace("\n", "\ndata: ") + "\n\n";
    }

    private static void send(OutputStream out, TlsListener.Deadline deadline, String text) throws IOException {
        deadline.in(EVENT_WRITE_DEADLINE_MS);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        deadline.cancel();
    }

    private static String cookie(Request head) {
        String c = head.headers().get("cookie");
        if (c == null) {
            return null;
        }
        for (String part : c.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                return p.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    /** On every answer: no caching, no framing, no sniffing, no referrer, and scripts from this origin only. */
    private static final Map<String, String> SECURITY_HEADERS = securityHeaders();

    private static Map<String, String> securityHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cache-Control", "no-store");
        return java.util.Collections.unmodifiableMap(h);
    }

    private static Response secured(Response r) {
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        h.putAll(SECURITY_HEADERS);
        return new Response(r.status(), r.contentType(), r.body(), h);
    }

    private static String pathOf(Request head) {
        int q = head.path().indexOf('?');
        String path = q < 0 ? head.path() : head.path().substring(0, q);
        return path.equals("/index.html") ? "/" : path;
    }

    private static String contentType(String file) {
        if (file.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (file.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (file.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/plain; charset=utf-8";
    }

    /** A name someone typed, for the log: its control characters shown, its length bounded. */
    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static void audit(String what) {
        System.getLogger("org.jvs.director.audit").log(System.Logger.Level.INFO, what);
    }

    int sessionCount() {
        return sessions.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        history.close();
        listener.close();
    }
}
