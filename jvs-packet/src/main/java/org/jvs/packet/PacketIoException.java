package org.jvs.packet;

/**
 * A packet I/O call failed in the kernel. The message names what was attempted, the C library's text for the
 * error and its symbolic name, and a hint when there is a likely cause, for example
 * {@code "AF_PACKET socket: Operation not permitted (EPERM): JVS's packet engine needs CAP_NET_RAW; ..."}.
 */
public final class PacketIoException extends RuntimeException {
    private final int errno;

    public PacketIoException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The {@code errno} the failing call left, 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()} ({@code "EPERM"}), or {@code "errno N"} for an unusual one. */
    public String errnoName() {
        return Libc.errnoName(errno);
    }
}
