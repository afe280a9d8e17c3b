package org.jvs.director.api;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The HTTPS API's tokens, checked the same way whichever one matches: the presented token is hashed once and
 * compared with every stored hash in constant time, with no early exit, so timing tells nothing about which
 * token (if any) was close. Immutable: a reload builds a new store and the server swaps it in.
 */
public final class TokenStore {
    private final List<ApiToken> tokens;
    private final byte[][] hashes;

    public TokenStore(List<ApiToken> tokens) {
        this.tokens = List.copyOf(tokens);
        this.hashes = new byte[this.tokens.size()][];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = HexFormat.of().parseHex(this.tokens.get(i).sha256Hex());
        }
    }

    public List<ApiToken> tokens() {
        return tokens;
    }

    /** The caller an {@code Authorization} header value names, or null for none, another scheme or an unknown token. */
    public Caller authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = ApiToken.digest(authorization.substring(7).strip());
        ApiToken match = null;
        for (int i = 0; i < hashes.length; i++) {
            if (MessageDigest.isEqual(presented, hashes[i])) {
                match = tokens.get(i);
            }
        }
        return match == null ? null : new Caller("token " + match.name(), match.readWrite());
    }
}
