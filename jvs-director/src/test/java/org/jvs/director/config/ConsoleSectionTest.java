package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code console:} section: what it accepts and how it says what is wrong (docs/console.md). */
class ConsoleSectionTest {
    static final Path FILE = Path.of("/etc/jvs/jvs.yaml");
    static final String BCRYPT = "$2y$05$ZhLO4AiKIwliY6PiLeljYuO9w.ni2/GY9mH4zUxZv2eNV9iIa/Gbm";
    static final String ARGON = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$ZqRBG+T3mlgq2UZXwioRNl1l61myKKnMv4vfeZI+7lc";

    DirectorConfig parse(String yaml) {
        return new YamlConfigLoader().parse(FILE, yaml);
    }

    String error(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void aFullSectionAndItsDefaults() {
        var c = parse("""
                console:
                  listen: 127.0.0.1:9444
                  users:
                    - {name: alice, access: read-write, password: "%s"}
                    - {name: noc, access: read-only, password: "%s"}
                """.formatted(ARGON, BCRYPT)).console();
        assertThat(c.listen()).isEqualTo("127.0.0.1:9444");
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.stateDir()).isEqualTo(Path.of("/etc/jvs"));
        assertThat(c.users()).extracting(u -> u.name() + "/" + u.readWrite() + "/" + u.password().getClass().getSimpleName())
                .containsExactly("alice/true/Argon2id", "noc/false/Bcrypt");
        var t = parse("""
                console:
                  listen: "[::1]:9444"
                  tls: {certificate: c.crt, key: c.key}
                  idle_timeout: 30m
                  users: [{name: a, access: read-only, password: "%s"}]
                """.formatted(ARGON)).console();
        assertThat(t.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(t.certificate()).isEqualTo(Path.of("c.crt"));
        assertThat(parse("services: []\n").console().listen()).isNull();
    }

    @Test
    void mistakesAreNamedWithTheirLine() {
        assertThat(error("console:\n  users: []\n")).contains("needs 'listen: host:port'");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n")).contains("needs 'users'").contains("bin/jvs passwd");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  users: []\n")).contains("at least one user");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  users: [{name: a, access: admin, password: \"" + ARGON + "\"}]\n"))
                .contains("read-only or read-write");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  users: [{name: a, access: read-only, password: hunter2}]\n"))
                .contains("jvs.yaml:3:").contains("not a plain password");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  users: [{name: \"a b\", access: read-only, password: \"" + ARGON + "\"}]\n"))
                .contains("1-64 of letters");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  users:\n    - {name: a, access: read-only, password: \"" + ARGON
                + "\"}\n    - {name: a, access: read-write, password: \"" + ARGON + "\"}\n")).contains("user 'a' given twice");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  idle_timeout: 10s\n  users: [{name: a, access: read-only, password: \"" + ARGON + "\"}]\n"))
                .contains("between 1m and 12h");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  colour: blue\n  users: []\n")).contains("colour");
        assertThat(error("console:\n  listen: 127.0.0.1:9444\n  tls: {certificate: a.crt}\n  users: []\n")).contains("needs 'certificate'");
    }
}
