package org.jvs.director.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvs.director.console.ConsoleUser;
import org.jvs.director.config.YamlConfigLoader.Y;

/**
 * The {@code console:} section: the browser console on HTTPS (docs/console.md).
 *
 * <pre>
 * console:
 *   listen: 127.0.0.1:9444
 *   tls: {certificate: /etc/jvs/console.crt, key: /etc/jvs/console.key}   # absent: self-signed, in state_dir
 *   state_dir: /var/lib/jvs                                                 # as for api:
 *   idle_timeout: 15m
 *   users:
 *     - {name: alice, access: read-write, password: "$argon2id$v=19$m=19456,t=2,p=1$..."}
 *     - {name: noc, access: read-only, password: "$2y$10$..."}
 * </pre>
 */
final class ConsoleSection {
    private ConsoleSection() {
    }

    static DirectorConfig.Console parse(Path file, Y y) {
        Map<String, Y> m = y.mapping(Set.of("listen", "tls", "state_dir", "idle_timeout", "users"));
        ApiSection.Listener l = ApiSection.listener(file, y, m, "127.0.0.1:9444");
        Duration idle = DirectorConfig.Console.DEFAULT_IDLE;
        if (m.containsKey("idle_timeout")) {
            idle = m.get("idle_timeout").duration();
            if (idle.compareTo(Duration.ofMinutes(1)) < 0 || idle.compareTo(Duration.ofHours(12)) > 0) {
                m.get("idle_timeout").fail("must be between 1m and 12h, not " + idle.toSeconds() + "s");
            }
        }
        if (!m.containsKey("users")) {
            y.fail("needs 'users': nobody could log in (make an entry with: bin/jvs passwd NAME)");
        }
        List<ConsoleUser> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Y u : m.get("users").sequence()) {
            ConsoleUser user = user(u);
            if (!names.add(user.name())) {
                u.fail("user '" + user.name() + "' given twice");
            }
            users.add(user);
        }
        if (users.isEmpty()) {
            m.get("users").fail("needs at least one user (make an entry with: bin/jvs passwd NAME)");
        }
        Duration idleTimeout = idle;
        return y.build(() -> new DirectorConfig.Console(l.listen(), l.certificate(), l.key(), l.stateDir(), idleTimeout, users));
    }

    private static ConsoleUser user(Y y) {
        Map<String, Y> m = y.mapping(Set.of("name", "access", "password"));
        for (String need : List.of("name", "access", "password")) {
            if (!m.containsKey(need)) {
                y.fail("a user needs 'name', 'access' (read-only or read-write) and 'password' (a hash from bin/jvs passwd)");
            }
        }
        boolean rw = ApiSection.readWrite(m.get("access"));
        String name = m.get("name").convert(ConsoleUser::checkName);
        return m.get("password").convert(h -> ConsoleUser.of(name, rw, h));
    }
}
