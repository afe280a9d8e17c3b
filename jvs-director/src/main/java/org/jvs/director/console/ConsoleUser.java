package org.jvs.director.console;

/**
 * A console user from {@code console.users}: a name for the audit log, read-only or read-write, and the
 * stored password hash (never the password).
 */
public record ConsoleUser(String name, boolean readWrite, PasswordHash password) {
    public ConsoleUser {
        checkName(name);
    }

    /** Names appear in the audit log and the page: a plain, short set of characters. */
    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException("a console user name is 1-64 of letters, digits and . _ @ -, not '" + name + "'");
        }
        return name;
    }

    /** Parses a stored hash; the exception names what is wrong. */
    public static ConsoleUser of(String name, boolean readWrite, String passwordHash) {
        return new ConsoleUser(name, readWrite, PasswordHash.parse(passwordHash));
    }
}
