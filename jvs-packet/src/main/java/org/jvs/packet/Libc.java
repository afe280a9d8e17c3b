package org.jvs.packet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The few C library calls the AF_PACKET I/O needs, as FFM downcalls (x86_64 Linux, glibc). Every call that can
 * fail captures {@code errno} into a caller-supplied segment of {@link #CAPTURE_LAYOUT} (its first argument), so
 * the value cannot be clobbered by the JVM between the call and the check. Package-private: the handles take
 * raw segments and ints and check nothing.
 */
final class Libc {
    private Libc() {
    }

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Where the captured {@code errno} lands; allocate one per thread of calls and reuse it. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // errno values (asm-generic/errno-base.h, asm-generic/errno.h)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int EMSGSIZE = 90;
    static final int ENOPROTOOPT = 92;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int ENETDOWN = 100;
    static final int ENOBUFS = 105;

    /** int socket(int domain, int type, int protocol) */
    static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int bind(int fd, const struct sockaddr *addr, socklen_t len) */
    static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** int setsockopt(int fd, int level, int name, const void *value, socklen_t len) */
    static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** unsigned int if_nametoindex(const char *name): 0 and errno on failure */
    static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout) */
    static final MethodHandle RECVMMSG = downcall("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    /** int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags) */
    static final MethodHandle SENDMMSG = downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) */
    static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** int close(int fd) */
    /** int open(const char *path, int flags) (variadic: no mode passed). */
    static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** int ioctl(int fd, unsigned long request, void *arg). */
    static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** write(2) with the buffer as a raw address: a packet at any offset of a native buffer, no slice object. */
    static final MethodHandle WRITE_AT = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** char *strerror(int errnum): no errno capture, it does not fail */
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("C library has no " + name + "()"));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    /** The errno a call captured into {@code capture}. */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static MemorySegment allocateCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** 16 bits in network byte order, as the int a C caller would pass ({@code htons}). */
    static int htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN
                ? v & 0xFFFF
                : Short.toUnsignedInt(Short.reverseBytes((short) v));
    }

    /** The C library's text for an errno ({@code strerror}). */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case 0 -> "no errno";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case ENXIO -> "ENXIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case ENETDOWN -> "ENETDOWN";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }

    /** {@code "what: Operation not permitted (EPERM)"} plus {@code ": hint"} when there is one. */
    static PacketIoException failure(String what, int errno, String hint) {
        String msg = what + ": " + strerror(errno) + " (" + errnoName(errno) + ")";
        return new PacketIoException(hint == null ? msg : msg + ": " + hint, errno);
    }
}
