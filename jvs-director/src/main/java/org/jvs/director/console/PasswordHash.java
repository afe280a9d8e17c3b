package org.jvs.director.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * A console user's stored password: an Argon2id hash in the PHC string format the reference {@code argon2}
 * tool prints ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), or a bcrypt hash as {@code htpasswd -B}
 * makes ({@code $2y$10$...}). Passwords are chosen by people, so the hash is deliberately slow and
 * memory-hard (unlike the API's random tokens, where SHA-256 is enough).
 */
public sealed interface PasswordHash {
    /** OWASP's Argon2id choice for a login: 19 MiB, two passes, one lane (about 60 ms here, see docs/console.md). */
    int DEFAULT_MEMORY_KIB = 19_456;
    int DEFAULT_ITERATIONS = 2;
    /** A hash asking for more than this would let one login exhaust the director's heap: refused at load. */
    int MAX_MEMORY_KIB = 256 << 10;
    int MAX_ITERATIONS = 16;
    /** Memory times passes, in KiB: beyond this one login would hold a hashing slot for about a second. */
    long MAX_WORK_KIB = 512L << 10;
    /** bcrypt's cost is a power of two: 12 is about a quarter of a second here, 16 would be four. */
    int MAX_BCRYPT_COST = 12;
    int MAX_PARALLELISM = 8;

    /** True when {@code password} is the one this hash was made from. */
    boolean matches(char[] password);

    /** The stored form, as the configuration holds it. */
    String encoded();

    /** Argon2id, version 0x13, with its cost parameters, salt and output. */
    record Argon2id(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) implements PasswordHash {
        private static final Pattern PHC = Pattern.compile(
                "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,})\\$([A-Za-z0-9+/]{16,})");

        public Argon2id {
            if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("argon2id memory m=" + memoryKib + " KiB is outside 8*p.." + MAX_MEMORY_KIB);
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("argon2id passes t=" + iterations + " is outside 1.." + MAX_ITERATIONS);
            }
            if ((long) memoryKib * iterations > MAX_WORK_KIB) {
                throw new IllegalArgumentException("argon2id cost m*t = " + (long) memoryKib * iterations + " KiB is above "
                        + MAX_WORK_KIB + " (e.g. m=262144,t=2): one login would stall the others");
            }
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new IllegalArgumentException("argon2id lanes p=" + parallelism + " is outside 1.." + MAX_PARALLELISM);
            }
            if (salt.length < 8 || hash.length < 12) {
                throw new IllegalArgumentException("argon2id salt must be at least 8 bytes and the hash 12");
            }
            salt = salt.clone();
            hash = hash.clone();
        }

        static Argon2id parse(String s) {
            Matcher m = PHC.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException("not an argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)");
            }
            Base64.Decoder b64 = Base64.getDecoder(); // PHC: standard alphabet, no padding (the decoder takes either)
            return new Argon2id(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    b64.decode(m.group(4)), b64.decode(m.group(5)));
        }

        static byte[] derive(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
            Argon2BytesGenerator g = new Argon2BytesGenerator();
            g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).withSalt(salt).build());
            byte[] out = new byte[length];
            g.generateBytes(password, out); // UTF-8, as the reference tool reads its standard input
            return out;
        }

        @Override
        public boolean matches(char[] password) {
            return MessageDigest.isEqual(hash, derive(password, salt, memoryKib, iterations, parallelism, hash.length));
        }

        @Override
        public String encoded() {
            Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
            return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                    + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        }

        /** By value: a reload that keeps a user's hash keeps their sessions. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Argon2id a && a.encoded().equals(encoded());
        }

        @Override
        public int hashCode() {
            return encoded().hashCode();
        }

        @Override
        public String toString() {
            return "argon2id(m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + ")";
        }
    }

    /** bcrypt ({@code $2a$}, {@code $2b$} or {@code $2y$}), cost 4..31. */
    record Bcrypt(String encoded) implements PasswordHash {
        private static final Pattern FORM = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");

        public Bcrypt {
            Matcher m = FORM.matcher(encoded);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a bcrypt hash ($2y$10$ and 53 characters)");
            }
            int cost = Integer.parseInt(m.group(1));
            if (cost < 4 || cost > MAX_BCRYPT_COST) { // each step doubles the time: beyond 12 one login stalls the others
                throw new IllegalArgumentException("bcrypt cost " + cost + " is outside 4.." + MAX_BCRYPT_COST);
            }
        }

        @Override
        public boolean matches(char[] password) {
            return OpenBSDBCrypt.checkPassword(encoded, password);
        }

        @Override
        public String toString() {
            return "bcrypt(cost=" + encoded.substring(4, 6) + ")";
        }
    }

    /** A stored hash of either kind; the exception says what is wrong with it. */
    static PasswordHash parse(String stored) {
        if (stored.startsWith("$argon2id$")) {
            return Argon2id.parse(stored);
        }
        if (stored.startsWith("$2")) {
            return new Bcrypt(stored);
        }
        if (stored.startsWith("$argon2i$") || stored.startsWith("$argon2d$")) {
            throw new IllegalArgumentException("argon2i and argon2d are not accepted: use argon2id (bin/jvs passwd NAME)");
        }
        throw new IllegalArgumentException("expected an argon2id or bcrypt hash, not a plain password (make one with: bin/jvs passwd NAME)");
    }

    /** A new Argon2id hash of {@code password} with a fresh 16-byte salt and the default costs. */
    static Argon2id hash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new Argon2id(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, 1, salt,
                Argon2id.derive(password, salt, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, 1, 32));
    }

    /**
     * A hash nobody's password matches, of {@code like}'s kind and cost, so that checking a name that does not
     * exist takes as long as checking that user.
     */
    static PasswordHash decoyLike(PasswordHash like) {
        SecureRandom r = new SecureRandom();
        return switch (like) {
            case Argon2id a -> {
                byte[] salt = new byte[a.salt().length];
                byte[] hash = new byte[a.hash().length];
                r.nextBytes(salt);
                r.nextBytes(hash);
                yield new Argon2id(a.memoryKib(), a.iterations(), a.parallelism(), salt, hash);
            }
            case Bcrypt b -> {
                byte[] salt = new byte[16];
                byte[] secret = new byte[24];
                r.nextBytes(salt);
                r.nextBytes(secret);
                String random = java.util.HexFormat.of().formatHex(secret);
                yield new Bcrypt(OpenBSDBCrypt.generate("2y", random.toCharArray(), salt, Integer.parseInt(b.encoded().substring(4, 6))));
            }
        };
    }

    /**
     * A hash nobody's password matches, of the default cost: a login for a user who does not exist is checked
     * against it so that it takes as long as one for a user who does (no user-name oracle from timing).
     */
    static Argon2id decoy() {
        byte[] salt = "jvs-console-decoy".getBytes(StandardCharsets.US_ASCII);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return new Argon2id(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, 1, salt, random);
    }
}
