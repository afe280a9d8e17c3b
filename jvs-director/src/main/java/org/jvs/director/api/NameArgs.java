package org.jvs.director.api;

import java.io.PrintStream;

/**
 * The command line of {@code bin/jvs token} and {@code bin/jvs passwd}: {@code NAME [--read-only]}, or
 * {@code -h}. {@code exit} is -1 when the tool should go on, else the status to exit with (the usage or the
 * mistake already printed).
 */
public record NameArgs(String name, boolean readOnly, int exit) {
    /** {@code more} follows the usage line of {@code -h} ("" for nothing). */
    public static NameArgs parse(String tool, String more, String example, String[] args, PrintStream out, PrintStream err) {
        String usage = "usage: bin/jvs " + tool + " NAME [--read-only]";
        String name = null;
        boolean readOnly = false;
        for (String a : args) {
            switch (a) {
                case "--read-only" -> readOnly = true;
                case "-h", "--help" -> {
                    out.println(usage + more);
                    return new NameArgs(null, false, 0);
                }
                default -> {
                    if (a.startsWith("-") || name != null) {
                        err.println("jvs " + tool + ": unexpected '" + a + "' (" + usage + ")");
                        return new NameArgs(null, false, 2);
                    }
                    name = a;
                }
            }
        }
        if (name == null) {
            err.println("jvs " + tool + ": " + example + " (the name appears in the audit log)");
            return new NameArgs(null, false, 2);
        }
        return new NameArgs(name, readOnly, -1);
    }
}
