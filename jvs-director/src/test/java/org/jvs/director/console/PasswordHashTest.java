package org.jvs.director.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Password hashes against the reference implementations: Debian's {@code argon2} (the reference C code) makes
 * PHC strings we must accept and recomputes ours from the same salt; Apache's {@code htpasswd -B} makes the
 * bcrypt hashes we must accept.
 */
class PasswordHashTest {
    static String run(String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    @Test
    void theReferenceArgon2sHashesAreAcceptedAndOnlyForTheirPassword() throws Exception {
        for (List<String> cost : List.of(List.of("-t", "2", "-k", "19456", "-p", "1"), List.of("-t", "3", "-k", "4096", "-p", "2"))) {
            String phc = run("s3cret pässword", cmdArgon2("saltsaltsalt", cost));
            PasswordHash h = PasswordHash.parse(phc);
            assertThat(h).isInstanceOf(PasswordHash.Argon2id.class);
            assertThat(h.matches("s3cret pässword".toCharArray())).as(phc).isTrue();
            assertThat(h.matches("s3cret passwort".toCharArray())).isFalse();
            assertThat(h.encoded()).isEqualTo(phc); // the same string back: the configuration keeps what it was given
        }
    }

    @Test
    void oursIsWhatTheReferenceComputesFromTheSameSalt() throws Exception {
        PasswordHash.Argon2id ours = PasswordHash.hash("correct horse battery staple".toCharArray());
        // the reference tool takes its salt as text: recompute ours with an ASCII salt of the same costs
        byte[] salt = "jvs-salt-16bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] out = PasswordHash.Argon2id.derive("correct horse battery staple".toCharArray(), salt, ours.memoryKib(), ours.iterations(), 1, 32);
        String mine = new PasswordHash.Argon2id(ours.memoryKib(), ours.iterations(), 1, salt, out).encoded();
        String reference = run("correct horse battery staple", cmdArgon2("jvs-salt-16bytes",
                List.of("-t", Integer.toString(ours.iterations()), "-k", Integer.toString(ours.memoryKib()), "-p", "1")));
        assertThat(mine).isEqualTo(reference);
        assertThat(ours.encoded()).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(ours.matches("correct horse battery staple".toCharArray())).isTrue();
    }

    private static String[] cmdArgon2(String salt, List<String> cost) {
        List<String> c = new java.util.ArrayList<>(List.of("argon2", salt, "-id", "-l", "32", "-e"));
        c.addAll(cost);
        return c.toArray(String[]::new);
    }

    @Test
    void htpasswdsBcryptIsAccepted() throws Exception {
        String line = run("", "htpasswd", "-nbB", "-C", "5", "noc", "read only password");
        String hash = line.substring(line.indexOf(':') + 1);
        PasswordHash h = PasswordHash.parse(hash);
        assertThat(h).isInstanceOf(PasswordHash.Bcrypt.class);
        assertThat(h.matches("read only password".toCharArray())).isTrue();
        assertThat(h.matches("read only passwore".toCharArray())).isFalse();
    }

    @Test
    void plainPasswordsWeakVariantsAndRunawayCostsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> PasswordHash.parse("hunter2")).hasMessageContaining("not a plain password");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("use argon2id");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("memory m=4194304 KiB");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=16$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("not an argon2id PHC string");
        assertThatThrownBy(() -> PasswordHash.parse("$2y$31$" + "a".repeat(53))).hasMessageContaining("cost 31");
        assertThatThrownBy(() -> PasswordHash.parse("$2y$10$short")).hasMessageContaining("not a bcrypt hash");
    }

    @Test
    void aDecoyHasItsModelsKindAndCostAndMatchesNothing() throws Exception {
        String line = run("", "htpasswd", "-nbB", "-C", "6", "noc", "read only password");
        PasswordHash bcrypt = PasswordHash.parse(line.substring(line.indexOf(':') + 1));
        PasswordHash d = PasswordHash.decoyLike(bcrypt);
        assertThat(d.encoded()).startsWith("$2y$06$");
        assertThat(d.matches("read only password".toCharArray())).isFalse();
        PasswordHash.Argon2id a = (PasswordHash.Argon2id) PasswordHash.parse(run("x", cmdArgon2("saltsaltsalt", List.of("-t", "3", "-k", "8192", "-p", "2"))));
        PasswordHash.Argon2id da = (PasswordHash.Argon2id) PasswordHash.decoyLike(a);
        assertThat(List.of(da.memoryKib(), da.iterations(), da.parallelism())).containsExactly(8192, 3, 2);
        assertThat(da.matches("x".toCharArray())).isFalse();
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=262144,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("one login would stall the others");
        assertThatThrownBy(() -> PasswordHash.parse("$2y$13$" + "a".repeat(53))).hasMessageContaining("outside 4..12");
    }

    @Test
    void theDecoyMatchesNothingAndHashesCompareByValue() {
        assertThat(PasswordHash.decoy().matches("".toCharArray())).isFalse();
        PasswordHash a = PasswordHash.hash("one password here".toCharArray());
        assertThat(PasswordHash.parse(a.encoded())).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(PasswordHash.hash("one password here".toCharArray())).isNotEqualTo(a); // a fresh salt each time
    }
}
