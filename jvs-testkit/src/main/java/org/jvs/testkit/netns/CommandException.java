package org.jvs.testkit.netns;

/**
 * A lab command failed, timed out or could not start. The message carries the command line, the exit
 * status and the command's stderr (and stdout when stderr is empty), so a failing test says why without
 * a rerun.
 */
public final class CommandException extends RuntimeException {
    private final transient CommandResult result;

    CommandException(String message, CommandResult result, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    static CommandException failed(CommandResult r) {
        String why = !r.stderr().isBlank() ? r.stderr().strip() : r.stdout().strip();
        return new CommandException(r.commandLine() + " failed with exit status " + r.exitCode()
                + (why.isEmpty() ? "" : ": " + why), r, null);
    }

    /** The finished command, or null when it timed out or never started. */
    public CommandResult result() {
        return result;
    }
}
