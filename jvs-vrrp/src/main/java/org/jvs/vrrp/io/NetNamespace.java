package org.jvs.vrrp.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The network namespace of the thread that made it, so threads started later (the protocol thread, script and
 * notify threads) can join it with {@code setns(2)}: sockets, interface lookups and child processes then belong
 * to the namespace the caller of {@code start()} was in (e.g. a test's {@code Host.call} thread). When the
 * caller is in the process's own namespace nothing is done (and no CAP_SYS_ADMIN is needed).
 */
public final class NetNamespace implements AutoCloseable {
    private final int fd;

    private NetNamespace(int fd) {
        this.fd = fd;
    }

    /** The calling thread's namespace. */
    public static NetNamespace current() {
        try {
            String self = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            String mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            if (self.equals(mine)) {
                return new NetNamespace(-1);
            }
        } catch (Exception e) {
            return new NetNamespace(-1);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Sys.allocateCapture(a);
            int fd = (int) Sys.OPEN.invokeExact(cap, a.allocateFrom("/proc/thread-self/ns/net"), Sys.O_RDONLY | Sys.O_CLOEXEC);
            if (fd < 0) {
                throw Sys.failure("open /proc/thread-self/ns/net", Sys.errno(cap), null);
            }
            return new NetNamespace(fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Moves the calling thread into this namespace (nothing when it is the process's own). */
    public void enter() {
        if (fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Sys.allocateCapture(a);
            int r = (int) Sys.SETNS.invokeExact(cap, fd, Sys.CLONE_NEWNET);
            if (r != 0) {
                throw Sys.failure("setns into the starting thread's network namespace", Sys.errno(cap), null);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
    }
}
