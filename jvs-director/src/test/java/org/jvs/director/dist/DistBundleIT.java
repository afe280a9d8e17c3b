package org.jvs.director.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable bundle, end to end (run by failsafe after the package phase, from the jvs.jar it made):
 * build it with packaging/build-dist.sh, unpack the tarball, install it into a temporary root, and run what was
 * installed with an environment that has no JDK on its PATH and no JAVA_HOME: {@code jvs --version}, the
 * quickstart with curl against it, jvsadm through the /usr/sbin link, bash completion, and systemd's own parser
 * over the unit. The .deb is built too and its contents run.
 */
class DistBundleIT {
    @TempDir
    Path dir;

    record Run(int exit, String out) {
    }

    static Run run(Duration bound, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path log = Files.createTempFile("dist-run", ".log");
        try {
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + bound + ": " + String.join(" ", cmd) + "\n" + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** What a bare service environment has: no JAVA_HOME, no JDK on the PATH. */
    Map<String, String> bare() {
        return Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HOME", dir.toString(), "JVS_SOCKET", dir.resolve("q.sock").toString());
    }

    @Test
    void theBundleInstallsIntoARootAndRunsWithoutAJdk() throws Exception {
        Path jar = Path.of("target", "jvs.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path out = dir.resolve("out");
        Run build = run(Duration.ofMinutes(5), null, Path.of("..", "packaging", "build-dist.sh").toString(), "--jar", jar.toString(),
                "--out", out.toString(), "--deb");
        assertThat(build.exit()).as(build.out()).isZero();
        String version = Files.readString(out.resolve("jvs-" + org.jvs.director.Version.VERSION + "/VERSION")).strip();
        Path tarball = out.resolve("jvs-" + version + "-linux-x64.tar.gz");
        Path deb = out.resolve("jvs_" + version + "_amd64.deb");
        assertThat(tarball).exists();
        assertThat(deb).exists();
        System.out.printf("bundle: %s %.1f MiB, %s %.1f MiB%n", tarball.getFileName(), Files.size(tarball) / 1048576.0,
                deb.getFileName(), Files.size(deb) / 1048576.0);

        // unpack the tarball, as a user would, and install it into a staging root
        Path unpacked = dir.resolve("unpacked");
        Files.createDirectories(unpacked);
        assertThat(run(Duration.ofMinutes(1), null, "tar", "-C", unpacked.toString(), "-xzf", tarball.toString()).exit()).isZero();
        Path root = dir.resolve("root");
        Run install = run(Duration.ofMinutes(1), null, unpacked.resolve("jvs-" + version + "/install.sh").toString(), "--root", root.toString());
        assertThat(install.exit()).as(install.out()).isZero();
        for (String f : List.of("opt/jvs/runtime/bin/java", "opt/jvs/lib/jvs.jar", "opt/jvs/bin/jvs", "opt/jvs/bin/jvsadm",
                "etc/systemd/system/jvs.service", "etc/jvs/jvs.yaml", "usr/share/man/man1/jvs.1.gz", "usr/share/man/man8/jvsadm.8.gz",
                "usr/share/bash-completion/completions/jvsadm")) {
            assertThat(root.resolve(f)).as(f).exists();
        }
        assertThat(Files.readSymbolicLink(root.resolve("usr/sbin/jvsadm"))).isEqualTo(Path.of("/opt/jvs/bin/jvsadm"));
        assertThat(Files.readString(root.resolve("opt/jvs/runtime/release"))).contains("JAVA_VERSION=\"25");

        // a second install keeps the administrator's configuration
        Files.writeString(root.resolve("etc/jvs/jvs.yaml"), "# mine\nservices: []\n");
        assertThat(run(Duration.ofMinutes(1), null, unpacked.resolve("jvs-" + version + "/install.sh").toString(), "--root",
                root.toString()).out()).contains("kept the existing");
        assertThat(Files.readString(root.resolve("etc/jvs/jvs.yaml"))).startsWith("# mine");

        Path jvs = root.resolve("opt/jvs/bin/jvs");
        Run v = run(Duration.ofMinutes(1), bare(), jvs.toString(), "--version");
        assertThat(v.out().strip()).isEqualTo("jvs " + version);
        Run check = run(Duration.ofMinutes(1), bare(), jvs.toString(), "director", "--check", "--config",
                unpacked.resolve("jvs-" + version + "/etc/jvs.yaml").toString());
        assertThat(check.exit()).as(check.out()).isZero();

        quickstartRunsFromTheInstall(root, jvs);
        consoleRunsFromTheInstall(jvs);
        completionWorks(root);
        systemdParsesTheUnit(root.resolve("etc/systemd/system/jvs.service"));
        theDebCarriesTheSame(deb, version);
    }

    /** jvs passwd and a director with a console, from the bundle's own runtime: its Argon2id, TLS and page files. */
    void consoleRunsFromTheInstall(Path jvs) throws Exception {
        Run pw = run(Duration.ofMinutes(1), bare(), "bash", "-c", "printf '%s\\n' bundle-console-password | " + jvs + " passwd admin");
        assertThat(pw.exit()).as(pw.out()).isZero();
        String user = pw.out().lines().filter(l -> l.contains("$argon2id$")).findFirst().orElseThrow();
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("console.yaml");
        Files.writeString(cfg, "director:\n  control_socket: " + dir.resolve("c.sock") + "\nservices: []\nconsole:\n  listen: 127.0.0.1:" + port
                + "\n  state_dir: " + dir.resolve("state") + "\n  users:\n" + user + "\n");
        ProcessBuilder pb = new ProcessBuilder(jvs.toString(), "director", "--config", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(bare());
        Process d = pb.start();
        String base = "https://127.0.0.1:" + port;
        try {
            long end = System.currentTimeMillis() + 60_000;
            Run page = null;
            while (System.currentTimeMillis() < end) {
                assertThat(d.isAlive()).as(Files.readString(dir.resolve("console.log"))).isTrue();
                page = run(Duration.ofSeconds(10), null, "curl", "-sk", "-m", "2", base + "/");
                if (page.exit() == 0) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(page.out()).contains("/static/console.js");
            String jar = dir.resolve("console.jar").toString();
            Run login = run(Duration.ofSeconds(20), null, "curl", "-sk", "-m", "10", "-c", jar, "-H", "Content-Type: application/json",
                    "-d", "{\"user\":\"admin\",\"password\":\"bundle-console-password\"}", base + "/login");
            assertThat(login.out()).as(Files.readString(dir.resolve("console.log"))).contains("\"csrf\"");
            assertThat(run(Duration.ofSeconds(20), null, "curl", "-sk", "-m", "10", "-b", jar, base + "/v1/status").out())
                    .contains("\"version\":\"" + org.jvs.director.Version.VERSION + "\"");
        } finally {
            d.destroy();
            if (!d.waitFor(30, TimeUnit.SECONDS)) {
                d.destroyForcibly();
            }
        }
    }

    void quickstartRunsFromTheInstall(Path root, Path jvs) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(jvs.toString(), "quickstart").redirectErrorStream(true)
                .redirectOutput(dir.resolve("quickstart.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(bare());
        Process q = pb.start();
        try {
            long end = System.currentTimeMillis() + 60_000;
            TreeSet<String> seen = new TreeSet<>();
            while (seen.size() < 3 && System.currentTimeMillis() < end) {
                assertThat(q.isAlive()).as(Files.readString(dir.resolve("quickstart.log"))).isTrue();
                Run c = run(Duration.ofSeconds(10), null, "curl", "-s", "-m", "2", "http://127.0.0.1:8080/");
                if (c.exit() == 0 && c.out().contains("backend-")) {
                    seen.add(c.out().strip());
                } else {
                    Thread.sleep(200);
                }
            }
            assertThat(seen).as("the three backends behind 127.0.0.1:8080; log:\n" + Files.readString(dir.resolve("quickstart.log")))
                    .hasSize(3);
            // through a link, as /usr/sbin/jvsadm is one (the installed one points outside this staging root)
            Path link = Files.createSymbolicLink(dir.resolve("jvsadm"), root.resolve("opt/jvs/bin/jvsadm"));
            Run list = run(Duration.ofMinutes(1), bare(), link.toString(), "-L", "-n");
            assertThat(list.exit()).as(list.out()).isZero();
            assertThat(list.out()).contains("TCP  127.0.0.1:8080 rr").contains("127.0.0.1:8081").contains("127.0.0.1:8083");
        } finally {
            q.destroy();
            if (!q.waitFor(30, TimeUnit.SECONDS)) {
                q.destroyForcibly();
            }
        }
    }

    void completionWorks(Path root) throws Exception {
        Path c = root.resolve("usr/share/bash-completion/completions/jvsadm");
        Run r = run(Duration.ofSeconds(30), null, "bash", "-c", "source " + c + "; COMP_WORDS=(jvsadm --add-se); COMP_CWORD=1; _jvsadm;"
                + " echo \"${COMPREPLY[*]}\"; COMP_WORDS=(jvsadm -A -t 10.0.0.1:80 -s l); COMP_CWORD=5; _jvsadm; echo \"${COMPREPLY[*]}\"");
        assertThat(r.out().lines().toList()).containsExactly("--add-server --add-service", "lc lblc lblcr");
    }

    /** systemd's parser reads every directive (errors about this machine having no /opt/jvs or man are not the unit's). */
    void systemdParsesTheUnit(Path unit) throws Exception {
        Run verify = run(Duration.ofMinutes(1), null, "systemd-analyze", "verify", unit.toString());
        List<String> unitProblems = new ArrayList<>(verify.out().lines().filter(l -> l.startsWith(unit + ":")).toList());
        assertThat(unitProblems).as("systemd-analyze verify:\n" + verify.out()).isEmpty();
        Run security = run(Duration.ofMinutes(1), null, "systemd-analyze", "security", "--offline=yes", unit.toString());
        String level = security.out().lines().filter(l -> l.contains("Overall exposure level")).findFirst().orElse("");
        System.out.println("systemd-analyze security: " + level.replaceAll("\\s+", " ").strip());
        assertThat(level).as(security.out()).containsAnyOf(" OK", " SAFE");
    }

    void theDebCarriesTheSame(Path deb, String version) throws Exception {
        Run info = run(Duration.ofMinutes(1), null, "dpkg-deb", "--info", deb.toString());
        assertThat(info.out()).contains("Package: jvs", "Version: " + version, "Architecture: amd64");
        Run contents = run(Duration.ofMinutes(1), null, "dpkg-deb", "--contents", deb.toString());
        assertThat(contents.out()).contains("./opt/jvs/runtime/bin/java", "./lib/systemd/system/jvs.service", "./etc/jvs/jvs.yaml",
                "./usr/sbin/jvsadm -> /opt/jvs/bin/jvsadm");
        Path x = dir.resolve("deb");
        assertThat(run(Duration.ofMinutes(1), null, "dpkg-deb", "-x", deb.toString(), x.toString()).exit()).isZero();
        assertThat(run(Duration.ofMinutes(1), bare(), x.resolve("opt/jvs/bin/jvs").toString(), "--version").out().strip())
                .isEqualTo("jvs " + version);
    }
}
