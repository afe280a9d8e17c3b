package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jvs.core.Dest;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

/** The whole relay suite again with splice(2), plus proof that bytes are spliced and none lost at the end. */
class TcpRelaySpliceTest extends TcpRelayTest {
    private static final int TEN_MIB = 10 << 20;

    @Override
    SocketEngine.Options options() {
        return super.options().withTransport("epoll").withSplice(true);
    }

    @Test
    void splices() throws Exception {
        assertThat(engine.relayMode()).isEqualTo("splice");
        RawBackend echo = raw(s -> s.getInputStream().transferTo(s.getOutputStream()));
        ServiceKey.Virtual vs = tcpService("127.0.0.35", "rr");
        Dest d = addDest(vs, echo.port(), 1);
        byte[] msg = new byte[100_000];
        new SplittableRandom(1).nextBytes(msg);
        try (Socket c = connect(vs, null)) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    c.getOutputStream().write(msg);
                } catch (IOException ignored) {
                    // seen as missing bytes below
                }
            });
            byte[] got = new DataInputStream(c.getInputStream()).readNBytes(msg.length);
            assertThat(Arrays.equals(got, msg)).isTrue();
            // Counted by the core while the relay is open, as for copied reads.
            assertThat(eventually(() -> d.stats().totals().inBytes() == msg.length
                    && d.stats().totals().outBytes() == msg.length, WAIT)).isTrue();
        }
        assertThat(engine.counters().splicedBytes()).isEqualTo(2L * msg.length);
        assertThat(engine.counters().copiedBytes()).isZero();
    }

    @Test
    void tenMibThenCloseArriveWholeClientToServer() throws Exception {
        CompletableFuture<String> serverDigest = new CompletableFuture<>();
        RawBackend server = raw(s -> serverDigest.complete(digestUntilEof(s.getInputStream())));
        ServiceKey.Virtual vs = tcpService("127.0.0.36", "rr");
        Dest d = addDest(vs, server.port(), 1);
        byte[] data = randomBytes(2);
        try (Socket c = connect(vs, null)) {
            OutputStream out = c.getOutputStream();
            out.write(data);
            c.shutdownOutput(); // FIN right behind the last byte: the director must read everything before it
            assertThat(serverDigest.get(30, TimeUnit.SECONDS)).isEqualTo(sha256(data));
            assertThat(c.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(eventually(() -> engine.openRelays() == 0, WAIT)).isTrue();
        assertThat(d.stats().totals().inBytes()).isEqualTo(TEN_MIB);
        assertThat(server.failure()).isNull();
        System.out.println("client to server: spliced " + engine.counters().splicedBytes() + ", read after the FIN "
                + engine.counters().copiedBytes());
        assertThat(engine.counters().splicedBytes()).isGreaterThan(0);
    }

    @Test
    void tenMibThenCloseArriveWholeServerToClient() throws Exception {
        byte[] data = randomBytes(3);
        RawBackend server = raw(s -> {
            s.getOutputStream().write(data);
            s.shutdownOutput();
            readAll(s.getInputStream(), 16);
        });
        ServiceKey.Virtual vs = tcpService("127.0.0.37", "rr");
        Dest d = addDest(vs, server.port(), 1);
        try (Socket c = connect(vs, null)) {
            c.setSoTimeout(30_000);
            // Read slowly at first, so the server's FIN arrives while most of the bytes are still queued.
            Thread.sleep(500);
            assertThat(digestUntilEof(c.getInputStream())).isEqualTo(sha256(data));
            c.shutdownOutput();
        }
        assertThat(eventually(() -> engine.openRelays() == 0, WAIT)).isTrue();
        assertThat(d.stats().totals().outBytes()).isEqualTo(TEN_MIB);
        assertThat(server.failure()).isNull();
        System.out.println("server to client: spliced " + engine.counters().splicedBytes() + ", read after the FIN "
                + engine.counters().copiedBytes());
    }

    @Test
    void aSplicedRoundAllocatesABoundedFewBytes() throws Exception {
        // Netty's splice makes a promise and a task object for each round it splices; measured, not zero.
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        RawBackend echo = raw(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[64];
            for (int n; (n = in.read(b)) >= 0; ) {
                out.write(b, 0, n);
            }
        });
        ServiceKey.Virtual vs = tcpService("127.0.0.34", "rr");
        addDest(vs, echo.port(), 1);
        try (Socket c = connect(vs, null)) {
            c.setTcpNoDelay(true);
            byte[] msg = new byte[32];
            byte[] back = new byte[32];
            int warm = 5_000;
            int measured = 20_000;
            long before = 0;
            for (int i = 0; i < warm + measured; i++) {
                if (i == warm) {
                    before = AllocationTest.relayThreadAllocatedBytes();
                }
                c.getOutputStream().write(msg);
                assertThat(c.getInputStream().readNBytes(back, 0, 32)).isEqualTo(32);
            }
            long perRound = (AllocationTest.relayThreadAllocatedBytes() - before) / (2L * measured);
            System.out.println("spliced relay: event loop allocated " + perRound + " bytes per spliced round");
            assertThat(perRound).isLessThan(512);
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
        assertThat(engine.counters().copiedBytes()).isZero();
    }

    private static byte[] randomBytes(long seed) {
        byte[] b = new byte[TEN_MIB];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String digestUntilEof(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
