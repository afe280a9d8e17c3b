package org.jvs.feedback;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/**
 * The light agent's server: answers each {@link AgentProtocol#REQUEST} with fresh figures and closes. One
 * virtual thread per connection, at most 16 at once, 2 s to send the request line: a confused or hostile
 * client costs little and cannot stop the agent.
 */
public final class AgentServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.feedback.agent");
    private static final int MAX_CLIENTS = 16;

    private final ServerSocket listener;
    private final FiguresSource figures;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private final Thread acceptor;

    /** What the agent reports: /proc in production, anything in tests. */
    @FunctionalInterface
    public interface FiguresSource {
        Sample read() throws IOException;
    }

    public AgentServer(InetSocketAddress listen, FiguresSource figures) throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(listen);
        this.figures = figures;
        this.acceptor = Thread.ofPlatform().daemon().name("jvs-agent-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                if (!slots.tryAcquire()) {
                    s.close();
                    continue;
                }
                Thread.ofVirtual().name("jvs-agent-client").start(() -> {
                    try (s) {
                        serve(s);
                    } catch (IOException e) {
                        LOG.log(Level.DEBUG, "agent client " + s.getRemoteSocketAddress() + ": " + e.getMessage());
                    } finally {
                        slots.release();
                    }
                });
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.log(Level.WARNING, "agent accept: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) throws IOException {
        s.setSoTimeout(2000);
        String line = readLine(s.getInputStream());
        if (!AgentProtocol.REQUEST.equals(line)) {
            s.getOutputStream().write(("error expected '" + AgentProtocol.REQUEST + "'\n").getBytes(StandardCharsets.US_ASCII));
            return;
        }
        s.getOutputStream().write(AgentProtocol.format(figures.read()).getBytes(StandardCharsets.US_ASCII));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || b.length() >= AgentProtocol.MAX_LINE) {
                return null;
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
