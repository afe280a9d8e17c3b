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
        Listener l = listener(file, y, m, "0.0.0.0:9443");
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
        return y.build(() -> new DirectorConfig.Api(l.listen(), l.certificate(), l.key(), l.stateDir(), tokens));
    }

    /** What an operator's HTTPS listener ({@code api:}, {@code console:}) says of where and with what it listens. */
    record Listener(String listen, Path certificate, Path key, Path stateDir) {
    }

    /**
     * {@code listen} (required), {@code tls: {certificate, key}} (absent: self-signed) and {@code state_dir}
     * (relative to the file's directory; default {@link #defaultStateDir}) of a section already read as {@code m}.
     */
    static Listener listener(Path file, Y y, Map<String, Y> m, String example) {
        if (!m.containsKey("listen")) {
            y.fail("needs 'listen: host:port' (e.g. " + example + ")");
        }
        String listen = YamlConfigLoader.hostPort(m.get("listen"), example);
        Path[] tls = m.containsKey("tls") ? YamlConfigLoader.tlsPair(m.get("tls"), "; leave 'tls' out for a self-signed pair")
                : new Path[2];
        Path parent = file.toAbsolutePath().getParent();
        Path state = m.containsKey("state_dir") ? parent.resolve(m.get("state_dir").string()) : defaultStateDir(parent);
        return new Listener(listen, tls[0], tls[1], state);
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
