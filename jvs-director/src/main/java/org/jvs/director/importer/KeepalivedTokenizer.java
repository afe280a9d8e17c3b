package org.jvs.director.importer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits keepalived configuration text into words, quoted strings, {@code {} and {@code }}, keeping the file and
 * line of each. Follows keepalived.conf(5): comments start with {@code #} or {@code !} anywhere outside quotes;
 * {@code "..."} and {@code '...'} keep their blanks and may touch other text ({@code a" b "c} is one word), with
 * shell-like backslash escapes inside; {@code include FILE} (and {@code includer}, {@code includem},
 * {@code includew}, {@code includeb}, {@code includea}) splices in every file its glob matches, relative to
 * the directory of the file that includes it. Parameter definitions ({@code $NAME=...}), conditional lines
 * ({@code @id ...}) and sequence/list blocks ({@code ~SEQ}, {@code ~LST}) are reported and skipped.
 */
final class KeepalivedTokenizer {
    enum Kind { WORD, OPEN, CLOSE }

    record Token(Kind kind, String text, Src src) {
    }

    private static final Pattern INCLUDE = Pattern.compile("^\\s*(include[rmwba]?)\\s+(.*)$");
    private static final int MAX_DEPTH = 20;

    private final Path base;
    private final Consumer<Message> messages;
    private final List<Token> tokens = new ArrayList<>();
    private long seq;

    private KeepalivedTokenizer(Path base, Consumer<Message> messages) {
        this.base = base;
        this.messages = messages;
    }

    /** The tokens of {@code file} and everything it includes, in reading order. */
    static List<Token> tokenize(Path file, Consumer<Message> messages) throws ImportException {
        Path abs = file.toAbsolutePath().normalize();
        KeepalivedTokenizer t = new KeepalivedTokenizer(abs.getParent(), messages);
        String text;
        try {
            text = Files.readString(abs, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ImportException(file + ": cannot read: " + e.getMessage());
        }
        t.file(abs, text, 0);
        return t.tokens;
    }

    /** Tokens of a text given directly (tests); {@code name} is the file name shown in messages. */
    static List<Token> tokenize(String name, String text, Consumer<Message> messages) throws ImportException {
        Path p = Path.of(name).toAbsolutePath().normalize();
        KeepalivedTokenizer t = new KeepalivedTokenizer(p.getParent(), messages);
        t.file(p, text, 0);
        return t.tokens;
    }

    private String display(Path p) {
        return base == null ? p.toString() : p.startsWith(base) ? base.relativize(p).toString() : p.toString();
    }

    private void file(Path path, String text, int depth) throws ImportException {
        String name = display(path);
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            Src src = new Src(name, n + 1, seq++ * 1000);
            String stripped = line.strip();
            if (stripped.isEmpty()) {
                continue;
            }
            Matcher inc = INCLUDE.matcher(line);
            if (inc.matches()) {
                include(path, inc.group(1), uncomment(inc.group(2)), src, depth);
                continue;
            }
            char c = stripped.charAt(0);
            if (c == '$' && !stripped.startsWith("${")) {
                messages.accept(Message.warning(src, "'" + shorten(stripped) + "' parameter substitution is not supported by the importer: "
                        + "expand the parameters first (the definition and its uses are taken literally)"));
                continue;
            }
            if (c == '@') {
                messages.accept(Message.warning(src, "'" + shorten(stripped) + "' conditional configuration (@config_id) is not supported: "
                        + "keep the lines for this director only, without the @ prefix; line skipped"));
                continue;
            }
            if (stripped.startsWith("~SEQ") || stripped.startsWith("~LST")) {
                messages.accept(Message.warning(src, "'" + shorten(stripped) + "' sequence and list blocks are not supported: "
                        + "write the repeated lines out; line skipped"));
                continue;
            }
            line(line, src);
        }
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** The words of one line. */
    private void line(String line, Src src) throws ImportException {
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '#' || c == '!') {
                return;
            }
            if (c == '{' || c == '}') {
                tokens.add(new Token(c == '{' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), src));
                i++;
                continue;
            }
            StringBuilder w = new StringBuilder();
            while (i < n) {
                c = line.charAt(i);
                if (Character.isWhitespace(c) || c == '{' || c == '}' || c == '#' || c == '!') {
                    break;
                }
                if (c == '"' || c == '\'') {
                    int end = quoted(line, i + 1, c, w);
                    if (end < 0) {
                        throw ImportException.at(src, "unterminated " + (c == '"' ? "double" : "single") + " quote");
                    }
                    i = end + 1;
                    continue;
                }
                w.append(c);
                i++;
            }
            tokens.add(new Token(Kind.WORD, w.toString(), src));
        }
    }

    /** Appends the quoted text starting at {@code i} to {@code w}; returns the index of the closing quote or -1. */
    private static int quoted(String s, int i, char quote, StringBuilder w) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == quote) {
                return i;
            }
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                switch (e) {
                    case 'a' -> w.append('\u0007');
                    case 'b' -> w.append('\b');
                    case 'E' -> w.append('\u001b');
                    case 'f' -> w.append('\f');
                    case 'n' -> w.append('\n');
                    case 'r' -> w.append('\r');
                    case 't' -> w.append('\t');
                    case 'v' -> w.append('\u000b');
                    case 'x' -> {
                        int j = i + 1;
                        while (j < s.length() && j < i + 3 && Character.digit(s.charAt(j), 16) >= 0) {
                            j++;
                        }
                        if (j == i + 1) {
                            w.append('x');
                        } else {
                            w.append((char) Integer.parseInt(s.substring(i + 1, j), 16));
                            i = j - 1;
                        }
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int j = i;
                            while (j < s.length() && j < i + 3 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
                                j++;
                            }
                            w.append((char) Integer.parseInt(s.substring(i, j), 8));
                            i = j - 1;
                        } else {
                            w.append(e);
                        }
                    }
                }
                i++;
                continue;
            }
            w.append(c);
            i++;
        }
        return -1;
    }

    /** The file name of an include line: comment removed, quotes taken off. */
    private static String uncomment(String s) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    out.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if ((c == '#' || c == '!') && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
                break;
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    private void include(Path from, String keyword, String pattern, Src src, int depth) throws ImportException {
        if (depth >= MAX_DEPTH) {
            throw ImportException.at(src, "includes nested more than " + MAX_DEPTH + " deep (does a file include itself?)");
        }
        if (pattern.isEmpty()) {
            messages.accept(Message.warning(src, "'" + keyword + "' without a file name; ignored"));
            return;
        }
        Path dir = from.getParent();
        List<Path> files;
        try {
            files = glob(dir, pattern);
        } catch (IOException | RuntimeException e) {
            messages.accept(Message.warning(src, "'" + keyword + " " + pattern + "' cannot be expanded: " + e.getMessage()));
            return;
        }
        if (files.isEmpty()) {
            messages.accept(Message.warning(src, "'" + keyword + " " + pattern + "' matches no file; nothing included"));
            return;
        }
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException | java.io.UncheckedIOException e) {
                messages.accept(Message.warning(src, "'" + keyword + " " + pattern + "': cannot read " + display(f) + ": " + e.getMessage()));
                continue;
            }
            file(f, text, depth + 1);
        }
    }

    /** The regular files a glob(3)-style pattern matches, each directory level sorted as glob(3) sorts. */
    static List<Path> glob(Path dir, String pattern) throws IOException {
        Path p = Path.of(pattern);
        Path start = p.isAbsolute() ? p.getRoot() : dir;
        List<Path> current = List.of(start);
        for (Path part : p) {
            String seg = part.toString();
            List<Path> next = new ArrayList<>();
            boolean wild = seg.chars().anyMatch(ch -> ch == '*' || ch == '?' || ch == '[' || ch == '{');
            for (Path d : current) {
                if (!wild) {
                    next.add(d.resolve(seg));
                    continue;
                }
                if (!Files.isDirectory(d)) {
                    continue;
                }
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + seg);
                List<Path> found = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                    for (Path e : ds) {
                        String name = e.getFileName().toString();
                        if (m.matches(e.getFileName()) && (!name.startsWith(".") || seg.startsWith("."))) {
                            found.add(e);
                        }
                    }
                }
                found.sort(null);
                next.addAll(found);
            }
            current = next;
        }
        return current.stream().map(Path::normalize).filter(Files::isRegularFile).toList();
    }
}
