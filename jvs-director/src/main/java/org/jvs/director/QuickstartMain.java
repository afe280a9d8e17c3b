package org.jvs.director;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvs.proxy.NamedHttpBackend;

/**
 * {@code bin/jvs quickstart}: three small HTTP backends on 127.0.0.1:8081-8083, each answering with its
 * own name, and a director balancing 127.0.0.1:8080 over them (examples/quickstart.yaml). Runs until
 * Ctrl-C, then stops all of it.
 */
public final class QuickstartMain {
    private QuickstartMain() {
    }

    public static void main(String[] args) {
        Logging.configure();
        Path config = Path.of(args.length > 0 ? args[0] : "examples/quickstart.yaml");
        if (!Files.isReadable(config)) {
            System.err.println("jvs quickstart: cannot read " + config);
            System.exit(2);
        }
        List<NamedHttpBackend> backends = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                backends.add(NamedHttpBackend.start("backend-" + i, "127.0.0.1", 8080 + i));
            }
        } catch (RuntimeException e) {
            backends.forEach(NamedHttpBackend::close);
            System.err.println("jvs quickstart: cannot start the backends on 127.0.0.1:8081-8083: " + e.getMessage()
                    + " (is something else listening there?)");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> backends.forEach(NamedHttpBackend::close)));
        String socket = org.jvs.director.config.DirectorConfig.Settings.defaultControlSocket().toString();
        System.out.println("""

                JVS quickstart: 127.0.0.1:8080 -> backend-1 (8081), backend-2 (8082), backend-3 (8083), round robin.
                Try, in another terminal:
                  curl http://127.0.0.1:8080/                  # a different backend each time
                  bin/jvsadm -L -n --stats                      # ipvsadm's view, with counters
                  bin/jvsadm -L -c                              # the connection table
                  bin/jvsadm -L -n --health                     # health checks: state and last result
                  bin/jvsadm -e -t 127.0.0.1:8080 -r 127.0.0.1:8082 -m -w 0   # quiesce backend-2
                  bin/jvsadm --where tcp 127.0.0.1:40000 127.0.0.1:8080       # where would this flow go?
                Control socket: %s   Ctrl-C stops everything.
                """.formatted(socket));
        DirectorMain.run(config, null, DirectorMain.defaultPlanes());
    }
}
