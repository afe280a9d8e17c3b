package org.jvs.testkit.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process in a lab namespace (nginx, a director, tshark), its stdout and stderr in one log
 * file. {@link #close} stops it (SIGTERM, then SIGKILL after 5 s) with every process it started; the lab
 * closes what it started itself.
 */
public final class LabProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private LabProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static LabProcess start(Host host, String name, List<String> command, Path log) {
        List<String> full = host.wrap(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            return new LabProcess(name, p, log);
        } catch (IOException e) {
            throw new CommandException(String.join(" ", full) + ": cannot start: " + e.getMessage(), null, e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * The process id. {@code ip netns exec} replaces itself with the command, so this is the command's own
     * pid (its CPU time is in {@code /proc/PID/stat}) once it has started.
     */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** What the process has written so far. */
    public String output() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Waits until the log contains {@code text}; throws with the log when the process dies or time runs out. */
    public void awaitOutput(String text, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before printing '" + text
                        + "': " + output().strip());
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException(name + " did not print '" + text + "' within " + timeout + ": "
                        + output().strip());
            }
            sleep(50);
        }
    }

    /** Waits for the process to exit by itself and returns its status; throws if it is still running after {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /**
     * SIGTERM to this process alone (not its children: a program that stops gracefully, as tshark does, ends
     * them itself) and waits for it to exit; returns its exit status. Throws if it is still running after
     * {@code timeout} ({@link #close} then kills it).
     */
    public int stop(Duration timeout) {
        process.destroy();
        return waitFor(timeout);
    }

    /** SIGTERM to the process and its children, SIGKILL to whatever is left after 5 s. Safe to call twice. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
