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

    public static int jvsadm(List<String> argv, Path socket, InputStream in, PrintStream out, PrintStream err) {
        return JvsadmMain.run(argv, socket, in, out, err);
    }
}
