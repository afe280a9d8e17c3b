package org.jvs.director;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Type=notify}: the director tells systemd READY=1 once it serves, RELOADING=1 and READY=1 around a
 * SIGHUP reload, STOPPING=1 at SIGTERM. The receiving end here is what systemd opens: a Unix datagram socket
 * bound to the path in {@code $NOTIFY_SOCKET} (or an abstract name after {@code @}).
 */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    /** A Unix datagram socket bound to a path or an abstract name, read with a bounded wait: systemd's side. */
    static final class Receiver implements AutoCloseable {
        static final Linker L = Linker.nativeLinker();
        static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle BIND = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECV = h("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final int MSG_DONTWAIT = 0x40;
        final Arena arena = Arena.ofShared();
        final int fd;

        static MethodHandle h(String n, FunctionDescriptor fd) {
            return L.downcallHandle(L.defaultLookup().find(n).orElseThrow(), fd);
        }

        Receiver(String name) throws Throwable {
            fd = (int) SOCKET.invokeExact(1, 2, 0);
            assertThat(fd).isNotNegative();
            MemorySegment addr = arena.allocate(110);
            addr.set(JAVA_SHORT, 0, (short) 1);
            byte[] p = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
            int len = 2 + p.length;
            if (p[0] == '@') {
                addr.set(JAVA_BYTE, 2, (byte) 0);
            } else {
                len++;
            }
            assertThat((int) BIND.invokeExact(fd, addr, len)).as("bind " + name).isZero();
        }

        /** The next datagram, or null when none comes within {@code millis}. */
        String next(long millis) throws Throwable {
            MemorySegment buf = arena.allocate(4096);
            long end = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < end) {
                long n = (long) RECV.invokeExact(fd, buf, 4096L, MSG_DONTWAIT);
                if (n >= 0) {
                    return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
                }
                Thread.sleep(20);
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            arena.close();
        }
    }

    @Test
    void bothSocketKindsSystemdUsesGetTheMessage() throws Throwable {
        String path = dir.resolve("notify").toString();
        try (Receiver r = new Receiver(path)) {
            assertThat(SystemdNotify.send(path, "READY=1")).isTrue();
            assertThat(r.next(2000)).isEqualTo("READY=1");
        }
        String name = "@jvs-notify-test-" + ProcessHandle.current().pid();
        try (Receiver r = new Receiver(name)) {
            assertThat(SystemdNotify.send(name, "STATUS=x\nREADY=1")).isTrue();
            assertThat(r.next(2000)).isEqualTo("STATUS=x\nREADY=1");
        }
        assertThat(SystemdNotify.send("relative/path", "READY=1")).as("not a path systemd gives").isFalse();
        assertThat(SystemdNotify.send(dir.resolve("nobody").toString(), "READY=1")).as("nobody listening").isFalse();
    }

    @Test
    void aDirectorUnderSystemdSaysReadyReloadingAndStopping() throws Throwable {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, DirectorTest.CONFIG.replace("conn_table_size: 1024", "conn_table_size: 1024\n  control_socket: " + dir.resolve("jvs.sock")));
        String notify = dir.resolve("notify").toString();
        try (Receiver r = new Receiver(notify)) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    "org.jvs.director.DirectorMain", "--config", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
            pb.environment().put("NOTIFY_SOCKET", notify);
            Process p = pb.start();
            try {
                String ready = r.next(60_000);
                assertThat(ready).as("log:\n" + Files.readString(dir.resolve("log"))).startsWith("READY=1\nSTATUS=1 services\nMAINPID=" + p.pid());
                assertThat(Files.readString(dir.resolve("log"))).as("ready only once the control API answers").contains("control API on");
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
                assertThat(r.next(20_000)).isEqualTo("RELOADING=1");
                assertThat(r.next(20_000)).isEqualTo("READY=1");
                p.destroy(); // SIGTERM
                assertThat(r.next(20_000)).isEqualTo("STOPPING=1");
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
