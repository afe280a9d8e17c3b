package org.jvs.director.api;

import java.io.PrintStream;

/**
 * {@code bin/jvs token NAME [--read-only]}: a new bearer token for the HTTPS API, printed once for the client,
 * and the {@code api.tokens} entry holding only its hash for the configuration (docs/api.md).
 */
public final class TokenMain {
    private TokenMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        NameArgs a = NameArgs.parse("token", "", "name the token, e.g. bin/jvs token grafana --read-only", args, out, err);
        if (a.exit() >= 0) {
            return a.exit();
        }
        String name = a.name();
        boolean readOnly = a.readOnly();
        String token = ApiToken.generate();
        ApiToken entry;
        try {
            entry = new ApiToken(name, !readOnly, ApiToken.hash(token));
        } catch (IllegalArgumentException e) {
            err.println("jvs token: " + e.getMessage());
            return 2;
        }
        out.println("# the token, for the client (Authorization: Bearer ...); it is not stored anywhere, keep it now:");
        out.println(token);
        out.println("# for api.tokens in the director's configuration:");
        out.println("    - {name: " + entry.name() + ", access: " + (entry.readWrite() ? "read-write" : "read-only")
                + ", sha256: " + entry.sha256Hex() + "}");
        return 0;
    }
}
