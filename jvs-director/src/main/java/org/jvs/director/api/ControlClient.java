package org.jvs.director.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** Calls the control API over its Unix socket: what {@code jvsadm} and the tests use. */
public final class ControlClient {
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
        try {
            return new ControlClient(socket).call(method, path, jsonBody);
        } catch (NotRunning e) {
            err.println("jvsadm: " + e.getMessage());
        } catch (IOException e) {
            err.println("jvsadm: talking to the director at " + socket + ": " + e.getMessage());
        }
        return null;
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
