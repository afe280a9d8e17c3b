package org.jvs.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain blocking server on 127.0.0.1 (or a given loopback address) for tests that need exact control of one connection (half-close,
 * resets, PROXY headers, slow reading): accepts connections one after the other and hands each to the
 * handler on one daemon thread. {@link #failure()} holds what the handler threw, if anything.
 */
final class RawBackend implements AutoCloseable {
    interface Handler {
        void handle(Socket s) throws Exception;
    }

    private final ServerSocket server;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final CompletableFuture<Void> firstDone = new CompletableFuture<>();

    RawBackend(Handler handler) {
        this("127.0.0.1", handler);
    }

    RawBackend(String host, Handler handler) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getByName(host));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        thread = Thread.ofPlatform().daemon().name("raw-backend").start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    handler.handle(s);
                } catch (Throwable t) {
                    if (!server.isClosed()) {
                        failure.compareAndSet(null, t);
                    }
                } finally {
                    firstDone.complete(null);
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
