package org.jvs.director.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvs.director.api.ApiToken;
import org.jvs.director.config.YamlConfigLoader.Y;

/**
 * The {@code api:} section: the control API on HTTPS (docs/api.md).
 *
 * <pre>
 * api:
 *   listen: 0.0.0.0:9443
 *   tls: {certificate: /etc/jvs/api.crt, key: /etc/jvs/api.key}   # absent: self-signed, kept in state_dir
 *   state_dir: /var/lib/jvs                                         # default: $STATE_DIRECTORY, else the file's directory
 *   tokens:
 *     - {name: grafana, access: read-only, sha256: 64 hex digits}
 *     - {name: deploy, access: read-write, sha256: ...}
 * </pre>
 */
final class ApiSection {
    private ApiSection() {
    }

    static DirectorConfig.Api parse(Path file, Y y) {
        Map<String, Y> m = y.mapping(Set.of("listen", "tls", "state_dir", "tokens"));
        if (!m.containsKey("listen")) {
            y.fail("needs 'listen: host:port' (e.g. 0.0.0.0:9443)");
        }
        String listen = YamlConfigLoader.hostPort(m.get("listen"), "0.0.0.0:9443");
        Path[] tls = m.containsKey("tls") ? YamlConfigLoader.tlsPair(m.get("tls"), "; leave 'tls' out for a self-signed pair")
                : new Path[2];
        Path parent = file.toAbsolutePath().getParent();
        Path state = m.containsKey("state_dir") ? parent.resolve(m.get("state_dir").string()) : defaultStateDir(parent);
        if (!m.containsKey("tokens")) {
            y.fail("needs 'tokens': every request must carry one (make one with: bin/jvs token NAME)");
        }
        List<ApiToken> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (Y t : m.get("tokens").sequence()) {
            ApiToken token = token(t);
            if (!names.add(token.name())) {
                t.fail("token name '" + token.name() + "' given twice");
            }
            if (!hashes.add(token.sha256Hex())) {
                t.fail("token '" + token.name() + "' has the same hash as another: one token, one name");
            }
            tokens.add(token);
        }
        if (tokens.isEmpty()) {
            m.get("tokens").fail("needs at least one token (make one with: bin/jvs token NAME)");
        }
        return y.build(() -> new DirectorConfig.Api(listen, tls[0], tls[1], state, tokens));
    }

    /**
     * Under systemd, the unit's {@code StateDirectory} ({@code $STATE_DIRECTORY}: the configuration's own
     * directory is read-only there); elsewhere the configuration file's directory.
     */
    static Path defaultStateDir(Path configDir) {
        String sd = System.getenv("STATE_DIRECTORY");
        if (sd != null && !sd.isBlank()) {
            return Path.of(sd.split(":")[0]);
        }
        return configDir;
    }

    /** {@code access: read-only | read-write} of a token or a console user: true for read-write. */
    static boolean readWrite(Y access) {
        return access.convert(a -> switch (a) {
            case "read-write" -> true;
            case "read-only" -> false;
            default -> throw new IllegalArgumentException("access must be read-only or read-write, not '" + a + "'");
        });
    }

    private static ApiToken token(Y y) {
        Map<String, Y> m = y.mapping(Set.of("name", "access", "sha256"));
        for (String need : List.of("name", "access", "sha256")) {
            if (!m.containsKey(need)) {
                y.fail("a token needs 'name', 'access' (read-only or read-write) and 'sha256'");
            }
        }
        boolean rw = readWrite(m.get("access"));
        String name = m.get("name").string();
        return m.get("sha256").convert(h -> new ApiToken(name, rw, h));
    }
}
