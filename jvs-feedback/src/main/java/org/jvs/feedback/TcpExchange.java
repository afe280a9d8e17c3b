package org.jvs.feedback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One short TCP conversation with a deadline: connect, send a request, read the answer until the peer
 * closes. Used by the agent collector and the HTTP probe; the whole exchange, not each read, is bounded.
 */
final class TcpExchange {
    private TcpExchange() {
    }

    /** Connects within the timeout; returns the connected socket (caller closes). */
    static Socket connect(InetSocketAddress to, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(to, (int) Math.max(1, timeout.toMillis()));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends {@code request}, returns at most {@code maxReply} bytes read before the peer closed. */
    static byte[] call(InetSocketAddress to, Duration timeout, byte[] request, int maxReply) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = connect(to, timeout)) {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1024];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
                }
                s.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
                }
                if (n < 0) {
                    return out.toByteArray();
                }
                if (out.size() + n > maxReply) {
                    throw new IOException("answer longer than " + maxReply + " bytes");
                }
                out.write(buf, 0, n);
            }
        }
    }
}
