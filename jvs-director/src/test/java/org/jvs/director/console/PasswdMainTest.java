package org.jvs.director.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bin/jvs passwd}: the entry it prints holds a hash that matches, never the password. */
class PasswdMainTest {
    @Test
    void itPrintsAUsersEntryWhoseHashMatchesThePassword() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = PasswdMain.run(new String[] {"noc", "--read-only"}, "a long enough one".toCharArray(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).doesNotContain("a long enough one").contains("- {name: noc, access: read-only, password: \"$argon2id$v=19$");
        String hash = text.substring(text.indexOf("\"$") + 1, text.lastIndexOf('"'));
        assertThat(PasswordHash.parse(hash).matches("a long enough one".toCharArray())).isTrue();
    }

    @Test
    void shortPasswordsBadNamesAndNoNameAreRefused() {
        var err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(PasswdMain.run(new String[] {"alice"}, "short".toCharArray(), o, e)).isEqualTo(1);
        assertThat(PasswdMain.run(new String[] {"al ice"}, "a long enough one".toCharArray(), o, e)).isEqualTo(2);
        assertThat(PasswdMain.run(new String[] {}, "a long enough one".toCharArray(), o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("at least 10 characters").contains("1-64 of letters").contains("name the user");
    }
}
