package org.jvs.director;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jvs.core.model.ConfigException;

/**
 * {@code bin/jvs director --config FILE [--socket PATH]}: runs the director until SIGTERM or SIGINT
 * (graceful: stop accepting, drain within the configured bound) and re-reads the file on SIGHUP.
 */
public final class DirectorMain {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");

    private DirectorMain() {
    }

    public static void main(String[] args) {
        Logging.configure();
        Path config = null;
        Path socket = null;
        boolean check = false;
        // "java -jar jvs.jar director --config X" runs the same as bin/jvs director (the jar's main is this class)
        int first = args.length > 0 && args[0].equals("director") ? 1 : 0;
        for (int i = first; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> config = Path.of(value(args, ++i, "--config"));
                case "--socket" -> socket = Path.of(value(args, ++i, "--socket"));
                case "--check", "-t" -> check = true;
                case "-h", "--help" -> {
                    System.out.println("usage: bin/jvs director --config FILE [--socket PATH] [--check]");
                    return;
                }
                case "-V", "--version" -> {
                    System.out.println("jvs " + Version.VERSION);
                    return;
                }
                default -> fail("unknown option '" + args[i] + "' (usage: bin/jvs director --config FILE [--socket PATH])");
            }
        }
        if (config == null) {
            fail("no configuration: bin/jvs director --config FILE (see examples/quickstart.yaml)");
        }
        if (!Files.isReadable(config)) {
            fail("cannot read configuration file " + config);
        }
        if (check) {
            System.exit(check(config));
        }
        run(config, socket, defaultPlanes());
    }

    /**
     * {@code --check}: reads and validates the file as a start or a reload would, starts nothing, and says
     * what is wrong (exit 1) or that it is valid (exit 0), as {@code nginx -t} and {@code haproxy -c} do.
     */
    static int check(Path config) {
        return check(config, System.out, System.err);
    }

    static int check(Path config, java.io.PrintStream out, java.io.PrintStream err) {
        try {
            var c = Director.load(config);
            org.jvs.director.config.ConfigApplier.validate(c);
            // the PEM pairs a start would load: a wrong one fails here, not at the start
            if (c.api().certificate() != null) {
                org.jvs.director.api.ApiTls.load(c.api().certificate(), c.api().key());
            }
            if (c.metrics().certificate() != null) {
                org.jvs.proxy.http.ServerTls.load(c.metrics().certificate(), c.metrics().key());
            }
            out.println("jvs director: configuration " + config + " is valid (" + c.services().size() + " services)");
            return 0;
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("jvs director: " + e.getMessage());
            return 1;
        }
    }

    /** The engines every director runs. */
    static List<Function<Director, DataPlane>> defaultPlanes() {
        List<Function<Director, DataPlane>> planes = new ArrayList<>();
        planes.add(SocketPlane::new);
        planes.add(HttpPlane::new); // engine: http services (docs/l7.md)
        planes.add(PacketPlane::ifConfigured); // only with a packet: section (docs/packet.md)
        return planes;
    }

    static void run(Path config, Path socket, List<Function<Director, DataPlane>> planes) {
        Director director;
        try {
            director = new Director(config, planes, socket);
        } catch (ConfigException e) {
            fail(e.getMessage());
            return;
        } catch (Exception e) {
            fail("cannot start: " + e.getMessage());
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onHangup(() -> {
            SystemdNotify.notify("RELOADING=1");
            try {
                director.reload();
            } catch (ConfigException e) {
                LOG.log(Level.ERROR, "reload refused, running configuration kept: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "reload failed part way: " + e.getMessage(), e);
            } finally {
                SystemdNotify.notify("READY=1"); // whatever happened: systemd must not wait for a reload that ended
            }
        });
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            SystemdNotify.notify("STOPPING=1");
            LOG.log(Level.INFO, "stopping (draining for at most " + director.settings().drainTimeout().toMillis() + " ms)");
            director.close();
            stopped.countDown();
        }));
        LOG.log(Level.INFO, "JVS director " + Version.VERSION + " running; " + director.loadBalancer().services().size() + " services");
        // Under systemd (Type=notify): ready now that the engines listen and the control API answers.
        SystemdNotify.notify("READY=1\nSTATUS=" + director.loadBalancer().services().size() + " services\nMAINPID=" + ProcessHandle.current().pid());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("jvs director: " + message);
        System.exit(2);
    }
}
