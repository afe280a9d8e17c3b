package org.jvs.director.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenStoreTest {
    @Test
    void theHashIsSha256OfTheTokensUtf8() {
        // FIPS 180-2, appendix B.1
        assertThat(ApiToken.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aTokenIsKnownByItsHashAndCarriesItsAccess() {
        TokenStore store = new TokenStore(List.of(new ApiToken("ro", false, ApiToken.hash("alpha")),
                new ApiToken("rw", true, ApiToken.hash("beta"))));
        assertThat(store.authenticate("Bearer alpha")).isEqualTo(new Caller("token ro", false));
        assertThat(store.authenticate("bearer beta ")).isEqualTo(new Caller("token rw", true));
        assertThat(store.authenticate("Bearer gamma")).isNull();
        assertThat(store.authenticate("Bearer alph")).isNull();
        assertThat(store.authenticate("Basic YWxwaGE=")).isNull();
        assertThat(store.authenticate("alpha")).isNull();
        assertThat(store.authenticate(null)).isNull();
        assertThat(new TokenStore(List.of()).authenticate("Bearer alpha")).isNull();
    }

    @Test
    void generatedTokensAreLongRandomAndPrefixed() {
        String a = ApiToken.generate();
        String b = ApiToken.generate();
        assertThat(a).startsWith("jvs_").hasSize(4 + 43).isNotEqualTo(b).matches("jvs_[A-Za-z0-9_-]{43}");
    }

    @Test
    void jvsTokenPrintsTheTokenOnceAndTheLineWithItsHash() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TokenMain.run(new String[] {"grafana", "--read-only"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        String token = lines[1];
        assertThat(token).startsWith("jvs_");
        assertThat(lines[3]).isEqualTo("    - {name: grafana, access: read-only, sha256: " + ApiToken.hash(token) + "}");

        assertThat(TokenMain.run(new String[] {}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(TokenMain.run(new String[] {"a", "b"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(TokenMain.run(new String[] {"bad name"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("letters, digits and _.@-");
    }
}
