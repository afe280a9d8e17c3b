package org.jvs.director.importer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jvsadm --import-keepalived FILE [-o OUT]} (also {@code bin/jvs import-keepalived}): translates a
 * keepalived.conf into JVS YAML, locally, without a director. The YAML goes to standard output (or OUT), every
 * message to standard error. Exit 0: everything was understood; 1: some lines were not translated (one message
 * each; the YAML of the rest is still written); 2: the file cannot be read or parsed.
 */
public final class ImportMain {
    private ImportMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static final String USAGE = "usage: jvsadm --import-keepalived FILE [-o OUT]   (keepalived.conf to JVS YAML; docs/import-keepalived.md)";

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path file = null;
        Path output = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if ((a.equals("-o") || a.equals("--output")) && i + 1 < args.size()) {
                output = Path.of(args.get(++i));
            } else if (a.startsWith("-") && !a.equals("-")) {
                err.println("import-keepalived: unknown option '" + a + "'");
                err.println(USAGE);
                return 2;
            } else if (file == null) {
                file = Path.of(a);
            } else {
                err.println("import-keepalived: one FILE only");
                err.println(USAGE);
                return 2;
            }
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        KeepalivedImporter.Result r;
        try {
            r = KeepalivedImporter.importFile(file);
        } catch (ImportException e) {
            err.println(e.getMessage());
            return 2;
        }
        for (Message m : r.messages()) {
            err.println(m.format());
        }
        if (output != null) {
            try {
                Files.writeString(output, r.yaml(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("import-keepalived: cannot write " + output + ": " + e.getMessage());
                return 2;
            }
        } else {
            out.print(r.yaml());
            out.flush();
        }
        long warnings = r.messages().stream().filter(Message::warning).count();
        if (warnings > 0) {
            err.println("import-keepalived: " + warnings + (warnings == 1 ? " line" : " lines") + " not translated (listed above and at the top of the YAML)");
            return 1;
        }
        return 0;
    }
}
