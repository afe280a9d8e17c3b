package org.jvs.director.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The test inputs are real keepalived syntax: keepalived 2.2's config-test mode ({@code keepalived -t -f FILE})
 * accepts each of them. It checks that the interfaces exist, so it runs in a network namespace of its own with
 * veth interfaces of the names the files use. Skipped without root or without keepalived (Debian package
 * keepalived).
 */
class KeepalivedConfigTestModeTest {
    static final String NS = "jvs-kat-" + ProcessHandle.current().pid();
    static boolean ready;

    @BeforeAll
    static void namespace() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean have = Files.isExecutable(Path.of("/usr/sbin/keepalived")) && Files.isExecutable(Path.of("/usr/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/sbin/keepalived")) && Files.isExecutable(Path.of("/sbin/ip"));
        if (!root || !have) {
            return;
        }
        if (run("ip", "netns", "add", NS).exit() != 0) {
            return;
        }
        for (String i : List.of("eth0", "eth1", "ens3", "ens4", "ens5")) {
            run("ip", "-n", NS, "link", "add", i, "type", "veth", "peer", "name", i + "p");
        }
        ready = true;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ready) {
            run("ip", "netns", "del", NS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dr-pair", "nat-pair", "v3-unicast", "includes"})
    void keepalivedAcceptsTheInput(String name) throws Exception {
        assumeTrue(ready, "needs root, ip and keepalived (-t config test mode)");
        Path file = KeepalivedImporterTest.input(name).toAbsolutePath();
        Result r = run("ip", "netns", "exec", NS, "keepalived", "-t", "-f", file.toString());
        assertThat(r.exit()).as("keepalived -t -f %s:%n%s", file, r.output()).isZero();
    }

    record Result(int exit, String output) {
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
