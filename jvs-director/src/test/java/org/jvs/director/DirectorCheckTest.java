package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvs.director.api.ApiToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvs director --check}: what a start would refuse, said without starting anything (the unit's ExecStartPre). */
class DirectorCheckTest {
    @TempDir
    Path dir;

    String[] check(String yaml) throws Exception {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = DirectorMain.check(cfg, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aValidFilePassesAndAMistakeIsNamedWithItsPlace() throws Exception {
        String[] ok = check(DirectorTest.CONFIG);
        assertThat(ok[0]).isEqualTo("0");
        assertThat(ok[1]).contains("is valid (1 services)");
        String[] bad = check(DirectorTest.CONFIG.replace("port: 18081", "port: 99999"));
        assertThat(bad[0]).isEqualTo("1");
        assertThat(bad[2]).contains("jvs.yaml:").contains("99999 out of range 0..65535");
    }

    @Test
    void aCertificateThatWouldNotLoadFailsTheCheck() throws Exception {
        Files.writeString(dir.resolve("api.key"), "not a key\n");
        Files.writeString(dir.resolve("api.crt"), "not a certificate\n");
        String[] bad = check(DirectorTest.CONFIG + "api:\n  listen: 127.0.0.1:0\n  tls: {certificate: " + dir.resolve("api.crt")
                + ", key: " + dir.resolve("api.key") + "}\n  tokens: [{name: a, access: read-only, sha256: " + ApiToken.hash("a") + "}]\n");
        assertThat(bad[0]).isEqualTo("1");
        assertThat(bad[2]).contains("api.crt");
    }
}
