package org.jvs.director;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * systemd's readiness protocol ({@code Type=notify}): one datagram such as {@code READY=1} to the Unix socket
 * named by {@code $NOTIFY_SOCKET} ({@code @} for the abstract namespace), so {@code systemctl start jvs} returns
 * when the director serves, not when its JVM was forked. Java has no Unix datagram sockets, hence the three
 * libc calls through FFM. Without {@code $NOTIFY_SOCKET} (not under systemd) every call does nothing.
 */
final class SystemdNotify {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sizeof(struct sockaddr_un): a 2-byte family and 108 bytes of path. */
    private static final int SOCKADDR_UN = 110;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private SystemdNotify() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    /** Sends {@code state} (newline-separated {@code KEY=value} lines); false when there is nobody to tell or it failed. */
    static boolean notify(String state) {
        String socket = System.getenv("NOTIFY_SOCKET");
        return socket != null && !socket.isEmpty() && send(socket, state);
    }

    static boolean send(String socket, String state) {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SOCKADDR_UN - 2 || !(path[0] == '/' || path[0] == '@')) {
            return false; // not a socket path systemd would give
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_UN);
            addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, addr, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, path.length);
            int addrLen = 2 + path.length;
            if (path[0] == '@') {
                addr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0); // abstract: a leading NUL, no terminator
            } else {
                addrLen++; // the terminating NUL of a path
            }
            byte[] msg = state.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, msg);
            int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                long sent = (long) SENDTO.invokeExact(fd, buf, (long) msg.length, 0, addr, addrLen);
                return sent == msg.length;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable e) {
            return false;
        }
    }
}
