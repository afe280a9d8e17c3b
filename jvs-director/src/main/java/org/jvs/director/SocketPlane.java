package org.jvs.director;

import java.lang.System.Logger.Level;
import java.time.Duration;
import org.jvs.proxy.SocketEngine;

/** The socket engine as one of the director's data planes. */
final class SocketPlane implements DataPlane {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");
    private final SocketEngine engine;
    private final Director director;

    SocketPlane(Director director) {
        this.director = director;
        this.engine = new SocketEngine(director.loadBalancer(),
                SocketEngine.Options.DEFAULT.withConnectTimeout(director.settings().connectTimeout()));
        engine.start();
    }

    SocketEngine engine() {
        return engine;
    }

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public void sync() {
        engine.limitPerSource(director.perSourceLimits()); // before new listeners take connections
        SocketEngine.SyncResult r = engine.sync();
        r.opened().forEach(k -> LOG.log(Level.INFO, "socket engine: listening for " + k + " (" + engine.transportName() + ")"));
        r.closed().forEach(k -> LOG.log(Level.INFO, "socket engine: stopped listening for " + k));
        r.failed().forEach((k, why) -> LOG.log(Level.ERROR, "socket engine: cannot serve " + k + ": " + why));
    }

    @Override
    public void stop(Duration drain) {
        engine.stop(drain);
    }
}
