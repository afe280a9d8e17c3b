package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jvs.director.api.ControlClient;

/**
 * A director run as its own process ({@code DirectorMain}, as {@code bin/jvs director} starts it) from a YAML file,
 * its output in a log file beside it, for tests that signal, kill or restart it. {@link #close} stops it, also when
 * a test fails.
 */
final class DirectorProcess implements AutoCloseable {
    private final Path config;
    private final Path log;
    private final Path socket;
    private Process process;

    private DirectorProcess(Path config, Path log, Path socket) {
        this.config = config;
        this.log = log;
        this.socket = socket;
    }

    /** Starts a director on {@code config} and waits (at most 60 s) until its control API is up. */
    static DirectorProcess start(Path config, Path log, Path socket) throws Exception {
        DirectorProcess d = new DirectorProcess(config, log, socket);
        d.launch();
        return d;
    }

    /** Starts the process again on the same file, appending to the same log. */
    void launch() throws Exception {
        int before = Files.exists(log) ? count(Files.readString(log), "control API on") : 0;
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.jvs.director.DirectorMain", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await("control API on", before + 1, Duration.ofSeconds(60));
    }

    Process process() {
        return process;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Sends a signal ("HUP", "KILL", ...) to the process. */
    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** kill -9, and waits until the process is gone. */
    void kill9() throws Exception {
        signal("KILL");
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the director died of SIGKILL").isTrue();
    }

    /** One control API call; the body of a 200 answer. */
    String api(String method, String path, String body) throws IOException {
        var r = new ControlClient(socket).call(method, path, body);
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /** Waits until the log has {@code count} lines containing {@code line}; fails if the process dies first. */
    void await(String line, int count, Duration bound) throws Exception {
        long end = System.nanoTime() + bound.toNanos();
        while (count(log(), line) < count) {
            assertThat(process.isAlive()).as("director alive; log:\n" + log()).isTrue();
            assertThat(System.nanoTime()).as("waiting for %d× '%s'; log:\n%s", count, line, log()).isLessThan(end);
            Thread.sleep(10);
        }
    }

    static int count(String text, String line) {
        return (int) text.lines().filter(l -> l.contains(line)).count();
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
