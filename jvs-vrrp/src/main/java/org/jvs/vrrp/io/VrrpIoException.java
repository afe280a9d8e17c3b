package org.jvs.vrrp.io;

/** A failed system call of the VRRP I/O, with its errno; the message says what failed, why, and what to do. */
public final class VrrpIoException extends RuntimeException {
    private final int errno;

    public VrrpIoException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
