package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.jvs.director.api.ApiToken;
import org.junit.jupiter.api.Test;

/** The {@code api:} section: what it accepts and how it says what is wrong (docs/api.md). */
class ApiSectionTest {
    static final Path FILE = Path.of("/etc/jvs/jvs.yaml");
    static final String H1 = ApiToken.hash("one");
    static final String H2 = ApiToken.hash("two");

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
        var api = parse("""
                api:
                  listen: 0.0.0.0:9443
                  tokens:
                    - {name: grafana, access: read-only, sha256: %s}
                    - {name: deploy, access: read-write, sha256: %s}
                """.formatted(H1, H2)).api();
        assertThat(api.listen()).isEqualTo("0.0.0.0:9443");
        assertThat(api.certificate()).isNull();
        assertThat(api.stateDir()).as("default: beside the file").isEqualTo(Path.of("/etc/jvs"));
        assertThat(api.tokens()).containsExactly(new ApiToken("grafana", false, H1), new ApiToken("deploy", true, H2));

        var tls = parse("""
                api:
                  listen: "[::1]:9443"
                  tls: {certificate: /etc/jvs/a.crt, key: /etc/jvs/a.key}
                  state_dir: /var/lib/jvs
                  tokens: [{name: a, access: read-only, sha256: %s}]
                """.formatted(H1)).api();
        assertThat(tls.certificate()).isEqualTo(Path.of("/etc/jvs/a.crt"));
        assertThat(tls.stateDir()).isEqualTo(Path.of("/var/lib/jvs"));
        assertThat(parse("services: []\n").api().listen()).as("no section, no listener").isNull();
    }

    @Test
    void mistakesAreNamedWithTheirPlace() {
        assertThat(error("api: {tokens: []}")).isEqualTo("/etc/jvs/jvs.yaml:1:6: api: needs 'listen: host:port' (e.g. 0.0.0.0:9443)");
        assertThat(error("api: {listen: 9443, tokens: []}")).isEqualTo("/etc/jvs/jvs.yaml:1:15: api.listen: expected host:port, e.g. 0.0.0.0:9443");
        assertThat(error("api: {listen: 'director:9443', tokens: []}")).contains("api.listen: not a numeric IP address: 'director'");
        assertThat(error("api: {listen: 127.0.0.1:9443}")).contains("api: needs 'tokens'").contains("bin/jvs token NAME");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: []}")).contains("api.tokens: needs at least one token");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: [{name: a, access: admin, sha256: " + H1 + "}]}"))
                .contains("api.tokens[0].access: access must be read-only or read-write, not 'admin'");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: [{name: a, access: read-only, sha256: secret}]}"))
                .contains("api.tokens[0].sha256: token a: sha256 must be 64 lower-case hex digits (make a token and its hash with: bin/jvs token a)");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: [{name: a, access: read-only}]}"))
                .contains("api.tokens[0]: a token needs 'name', 'access' (read-only or read-write) and 'sha256'");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: [{name: a, access: read-only, sha256: " + H1
                + "}, {name: a, access: read-only, sha256: " + H2 + "}]}")).contains("token name 'a' given twice");
        assertThat(error("api: {listen: 127.0.0.1:9443, tokens: [{name: a, access: read-only, sha256: " + H1
                + "}, {name: b, access: read-write, sha256: " + H1 + "}]}")).contains("token 'b' has the same hash as another");
        assertThat(error("api: {listen: 127.0.0.1:9443, tls: {certificate: /a.crt}, tokens: []}"))
                .contains("api.tls: needs 'certificate' (PEM chain) and 'key' (PEM PKCS#8)");
        assertThat(error("api: {listen: 127.0.0.1:9443, token: x}")).contains("unknown field 'token'");
    }

    @Test
    void tokenNamesAreWhatTheAuditLogCanPrint() {
        assertThatThrownBy(() -> new ApiToken("two words", true, H1)).hasMessageContaining("letters, digits and _.@-");
        assertThatThrownBy(() -> new ApiToken("x", true, H1.toUpperCase())).hasMessageContaining("64 lower-case hex digits");
    }
}
