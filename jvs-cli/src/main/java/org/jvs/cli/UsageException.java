package org.jvs.cli;

/**
 * A command line that is not a valid jvsadm/ipvsadm command: unknown or misplaced option, missing or bad
 * value, illegal combination. The message is one line in ipvsadm's words where ipvsadm has words for it
 * ("illegal weight specified"); a command-line front end prints it and exits non-zero (ipvsadm uses 2).
 * Whoever throws it has changed nothing.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
