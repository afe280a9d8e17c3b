package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

/** The relay's data path allocates nothing per read beyond Netty's pooled buffers. */
class AllocationTest extends EngineFixture {

    @Override
    SocketEngine.Options options() {
        return super.options().withIoThreads(1);
    }

    static long relayThreadAllocatedBytes() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jvs-socket")) {
                sum += mx.getThreadAllocatedBytes(t.threadId());
            }
        }
        return sum;
    }

    @Test
    void pingPongThroughARelayAllocatesAlmostNothingPerRead() throws Exception {
        // Netty's leak detector records a stack trace for one buffer in 128: a debugging aid, off in
        // production (-Dio.netty.leakDetection.level=disabled), and not the engine's allocation.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            pingPong();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private void pingPong() throws Exception {
        RawBackend echo = raw(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[64];
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
            }
        });
        ServiceKey.Virtual vs = tcpService("127.0.0.80", "rr");
        addDest(vs, echo.port(), 1);
        try (Socket c = connect(vs, null)) {
            c.setTcpNoDelay(true);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            byte[] msg = new byte[32];
            byte[] back = new byte[32];
            int warm = 5_000;
            int measured = 20_000;
            long before = 0;
            for (int i = 0; i < warm + measured; i++) {
                if (i == warm) {
                    before = relayThreadAllocatedBytes();
                }
                out.write(msg);
                assertThat(in.readNBytes(back, 0, 32)).isEqualTo(32);
            }
            long perRead = (relayThreadAllocatedBytes() - before) / (2L * measured);
            System.out.println("relay event loop allocated " + perRead + " bytes per relayed read");
            assertThat(perRead).isLessThan(8);
        }
    }
}
