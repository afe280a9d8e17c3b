package org.jvs.testkit.netns;

import java.util.List;

/** What a finished command left behind: its exit status and both output streams, whole. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** The command line as a shell user would type it, for messages. */
    public String commandLine() {
        return String.join(" ", command);
    }
}
