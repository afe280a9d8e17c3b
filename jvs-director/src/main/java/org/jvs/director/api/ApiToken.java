package org.jvs.director.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One bearer token of the HTTPS control API as the configuration stores it: a name (for the audit log), its
 * access, and the SHA-256 of the token, never the token itself.
 *
 * <p>A fast hash is the right one here: the tokens {@link #generate} makes carry 256 random bits, so nobody
 * can guess one from its hash however fast they hash, and every request pays the hash. Slow hashes (bcrypt,
 * Argon2id) protect secrets people choose; those are the console's passwords, not these.
 *
 * @param sha256Hex the token's SHA-256, 64 lower-case hex digits
 */
public record ApiToken(String name, boolean readWrite, String sha256Hex) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");

    public ApiToken {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name '" + name + "': 1 to 64 of letters, digits and _.@-");
        }
        if (sha256Hex == null || !HEX64.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("token " + name + ": sha256 must be 64 lower-case hex digits"
                    + " (make a token and its hash with: bin/jvs token " + name + ")");
        }
    }

    /** A new token: 32 random bytes, base64url, with a {@code jvs_} prefix so secret scanners can find leaked ones. */
    public static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "jvs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The hash the configuration stores for {@code token}. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(digest(token));
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
