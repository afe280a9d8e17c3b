package org.jvs.feedback;

/** A collector or probe could not get figures from a real server; the message says which and why. */
public final class CollectorException extends Exception {
    public CollectorException(String message) {
        super(message);
    }

    public CollectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
