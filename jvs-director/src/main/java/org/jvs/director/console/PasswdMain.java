package org.jvs.director.console;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jvs.director.api.NameArgs;

/**
 * {@code bin/jvs passwd NAME [--read-only]}: asks for a console password (twice, without echo, on a terminal;
 * one line from standard input otherwise, for scripts) and prints the {@code console.users} entry holding its
 * Argon2id hash (docs/console.md). The password itself is printed nowhere.
 */
public final class PasswdMain {
    /** Shorter passwords are refused: the throttle slows guessing, it does not make a short password safe. */
    static final int MIN_LENGTH = 10;

    private PasswdMain() {
    }

    /** The command line, read before any password is asked for; {@code exit} >= 0 ends there. */
    static NameArgs parse(String[] args, PrintStream out, PrintStream err) {
        NameArgs a = NameArgs.parse("passwd", "   (the password from the terminal, or one line of standard input)", "name the user, e.g. bin/jvs passwd alice", args, out, err);
        if (a.exit() >= 0) {
            return a;
        }
        try {
            ConsoleUser.checkName(a.name());
        } catch (IllegalArgumentException e) {
            err.println("jvs passwd: " + e.getMessage());
            return new NameArgs(null, false, 2);
        }
        return a;
    }

    public static void main(String[] args) throws IOException {
        NameArgs a = parse(args, System.out, System.err);
        if (a.exit() >= 0) {
            System.exit(a.exit());
        }
        Console tty = System.console();
        char[] password;
        if (tty != null && tty.isTerminal()) {
            password = tty.readPassword("password for %s: ", a.name());
            char[] again = tty.readPassword("again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("jvs passwd: the two passwords differ; nothing printed");
                System.exit(1);
            }
            Arrays.fill(again, '\0');
        } else {
            password = readLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        }
        System.exit(run(args, password, System.out, System.err));
    }

    private static char[] readLine(BufferedReader in) throws IOException {
        String line = in.readLine();
        return line == null ? new char[0] : line.toCharArray();
    }

    static int run(String[] args, char[] password, PrintStream out, PrintStream err) {
        try {
            NameArgs a = parse(args, out, err);
            if (a.exit() >= 0) {
                return a.exit();
            }
            String name = a.name();
            boolean readOnly = a.readOnly();
            if (password.length < MIN_LENGTH) {
                err.println("jvs passwd: a console password needs at least " + MIN_LENGTH + " characters; nothing printed");
                return 1;
            }
            PasswordHash.Argon2id hash = PasswordHash.hash(password);
            out.println("# for console.users in the director's configuration:");
            out.println("    - {name: " + name + ", access: " + (readOnly ? "read-only" : "read-write") + ", password: \"" + hash.encoded() + "\"}");
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
