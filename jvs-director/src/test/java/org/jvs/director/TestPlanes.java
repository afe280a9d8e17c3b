package org.jvs.director;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Test access to the director's package-private parts from other test packages. */
public final class TestPlanes {
    private TestPlanes() {
    }

    /** The socket engine, as the daemon runs it. */
    public static List<Function<Director, DataPlane>> socket() {
        return List.of(SocketPlane::new);
    }

    /** The socket engine and the http engine, as {@code bin/jvs director} runs them without a packet: section. */
    public static List<Function<Director, DataPlane>> socketAndHttp() {
        return List.of(SocketPlane::new, HttpPlane::new);
    }

    /** The http plane of a running director, for assertions on its engines. */
    public static org.jvs.proxy.http.HttpEngine httpEngine(Director d, org.jvs.core.model.ServiceKey key) {
        for (DataPlane p : d.planes()) {
            if (p instanceof HttpPlane h) {
                return h.engine(key);
            }
        }
        return null;
    }

    public static int jvsadm(List<String> argv, Path socket, InputStream in, PrintStream out, PrintStream err) {
        return JvsadmMain.run(argv, socket, in, out, err);
    }
}
