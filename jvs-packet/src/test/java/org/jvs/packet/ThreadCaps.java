package org.jvs.packet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Linux capabilities are per thread: {@code capset(2)} on the calling thread changes that thread only. This
 * lets a root test see what an unprivileged process sees, without a second process: drop
 * {@code CAP_NET_RAW} from the effective set of a throwaway thread (it stays permitted, so it could be
 * raised again), try, let the thread end.
 */
public final class ThreadCaps {
    private ThreadCaps() {
    }

    public static final int CAP_NET_RAW = 13;
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CAPGET = LINKER.downcallHandle(
            LINKER.defaultLookup().find("capget").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CAPSET = LINKER.downcallHandle(
            LINKER.defaultLookup().find("capset").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), Linker.Option.captureCallState("errno"));

    /**
     * Removes capability {@code cap} (below 32) from the calling thread's effective set.
     * {@code struct __user_cap_header_struct { u32 version; int pid; }} (pid 0: this thread) and two
     * {@code struct __user_cap_data_struct { u32 effective, permitted, inheritable; }}.
     */
    public static void dropEffective(int cap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment header = arena.allocate(8);
            header.set(JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            header.set(JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(24);
            if ((int) CAPGET.invokeExact(capture, header, data) != 0) {
                throw new IllegalStateException("capget: " + Libc.strerror(Libc.errno(capture)));
            }
            data.set(JAVA_INT, 0, data.get(JAVA_INT, 0) & ~(1 << cap));
            if ((int) CAPSET.invokeExact(capture, header, data) != 0) {
                throw new IllegalStateException("capset: " + Libc.strerror(Libc.errno(capture)));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
