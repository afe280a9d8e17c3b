package org.jvs.health;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells the world about state changes: a log line at once, then (on virtual threads, never holding up a
 * check) the notify command with {@code STATE SERVICE DEST REASON} appended, and a JSON POST to the webhook.
 * Both are bounded by {@code notifyTimeout}; a failure is logged and forgotten.
 */
public final class Notifier {
    private static final System.Logger LOG = System.getLogger("org.jvs.health");

    private volatile HealthConfig.Global settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Consumer<HealthEvent> listener;

    /** {@code listener} sees every event as it is logged (tests; null for none). */
    public Notifier(HealthConfig.Global settings, Consumer<HealthEvent> listener) {
        this.settings = settings;
        this.listener = listener;
    }

    public void settings(HealthConfig.Global s) {
        settings = s;
    }

    public void fire(HealthEvent e) {
        LOG.log(e.kind() == HealthEvent.Kind.UP || e.kind() == HealthEvent.Kind.QUORUM_UP ? Level.INFO : Level.WARNING, "health: " + e.line());
        if (listener != null) {
            listener.accept(e);
        }
        HealthConfig.Global s = settings;
        if (!s.notifyCommand().isEmpty()) {
            List<String> argv = new ArrayList<>(s.notifyCommand());
            argv.addAll(List.of(e.kind().name(), e.service().toString(), e.dest(), e.reason()));
            run(argv, s.notifyTimeout());
        }
        if (s.webhook() != null) {
            post(s.webhook(), e.json(), s.notifyTimeout());
        }
    }

    /** Runs a command (notify, quorum_up, quorum_down) in the background, killed after {@code timeout}. */
    public static void run(List<String> argv, Duration timeout) {
        Thread.ofVirtual().name("jvs-notify").start(() -> {
            Process p;
            try {
                p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            } catch (IOException ex) {
                LOG.log(Level.WARNING, "health: cannot run " + argv.getFirst() + ": " + ex.getMessage());
                return;
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    LOG.log(Level.WARNING, "health: " + argv.getFirst() + " killed after " + timeout.toMillis() + " ms");
                } else if (p.exitValue() != 0) {
                    LOG.log(Level.WARNING, "health: " + argv.getFirst() + " exited with " + p.exitValue());
                }
            } catch (InterruptedException ex) {
                p.destroyForcibly();
            }
        });
    }

    private void post(URI url, String body, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, ex) -> {
            if (ex != null) {
                LOG.log(Level.WARNING, "health: webhook " + url + " failed: " + ex);
            } else if (r.statusCode() / 100 != 2) {
                LOG.log(Level.WARNING, "health: webhook " + url + " answered " + r.statusCode());
            }
        });
    }
}
