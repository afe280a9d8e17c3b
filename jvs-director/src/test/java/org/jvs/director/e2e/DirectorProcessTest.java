package org.jvs.director.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape of the tests that run a director as a process of its own in front of nginx backends: a temporary
 * directory, and both stopped after each test, also on failure.
 */
abstract class DirectorProcessTest {
    @TempDir
    Path dir;
    NginxBackends backends;
    DirectorProcess director;

    @AfterEach
    void stopDirectorAndBackends() throws Exception {
        if (director != null) {
            director.close();
        }
        if (backends != null) {
            backends.close();
        }
    }
}
