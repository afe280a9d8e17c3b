package org.jvs.testkit.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short-lived commands (ip, sysctl, nft, curl, cat) with a time bound. Output goes to temporary files
 * rather than pipes: a command that writes more than a pipe holds while we wait for it can then never
 * block, and nothing needs a reader thread.
 */
public final class Commands {
    /** The bound used when a caller gives none: set-up commands answer in milliseconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private Commands() {
    }

    /** Runs the command; a non-zero exit status, a timeout or a failure to start throws {@link CommandException}. */
    public static CommandResult check(Duration timeout, String stdin, List<String> command) {
        CommandResult r = run(timeout, stdin, command);
        if (!r.ok()) {
            throw CommandException.failed(r);
        }
        return r;
    }

    public static CommandResult check(String... command) {
        return check(DEFAULT_TIMEOUT, null, List.of(command));
    }

    /**
     * Runs the command and returns whatever exit status it had. A timeout (the command and its children are
     * killed) or a failure to start still throws: there is no result to return then.
     */
    public static CommandResult run(Duration timeout, String stdin, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("jvs-lab-out", ".txt");
            err = Files.createTempFile("jvs-lab-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                CommandResult partial = new CommandResult(command, -1, read(out), read(err));
                throw new CommandException(partial.commandLine() + ": no exit within " + timeout.toMillis()
                        + " ms (killed); stderr: " + partial.stderr().strip(), null, null);
            }
            return new CommandResult(command, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new CommandException(String.join(" ", command) + ": cannot run: " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(String.join(" ", command) + ": interrupted", null, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Output as text; bytes that are not UTF-8 (a binary's noise) become replacement characters, not an error. */
    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file; /tmp is cleaned anyway
            }
        }
    }
}
