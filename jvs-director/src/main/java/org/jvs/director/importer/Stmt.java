package org.jvs.director.importer;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One keepalived statement: a keyword, the words after it on its line, and the statements of its
 * {@code { ... }} block ({@code null} when it has none).
 */
record Stmt(String keyword, List<String> args, List<Stmt> block, Src src) {

    boolean hasBlock() {
        return block != null;
    }

    String arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }

    /** The keyword and its words, as they could be written back (blanks re-quoted); long lines shortened. */
    String text() {
        String s = args.isEmpty() ? keyword : keyword + " " + args.stream().map(Stmt::display).collect(Collectors.joining(" "));
        return s.length() > 70 ? s.substring(0, 67) + "..." : s;
    }

    /** All words of the statement, keyword first: what a list block ({@code group}, addresses) holds. */
    List<String> words() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(keyword), args.stream()).toList();
    }

    private static String display(String w) {
        return needsQuotes(w) ? "\"" + w + "\"" : w;
    }

    private static boolean needsQuotes(String w) {
        return w.isEmpty() || w.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '{' || c == '}' || c == '#' || c == '!');
    }

    /** A word as keepalived's command lines write it: single quotes around blanks. */
    static String requote(String w) {
        return w.isEmpty() || w.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '{' || c == '}' || c == '#' || c == '!')
                ? "'" + w + "'" : w;
    }
}
