package org.jvs.director.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A small YAML tree made to be written for people: block style, small mappings and lists inline
 * ({@code {address: 10.0.0.11, port: 80}}) when they fit, a trailing {@code # file:line} comment per piece and
 * comment lines above it. Strings are quoted whenever YAML could read them as something else.
 */
final class YamlOut {
    private static final int WIDTH = 118;
    private static final int COMMENT_COLUMN = 48;
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_/.(][A-Za-z0-9_./@+%=~()\\-]*");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    private YamlOut() {
    }

    abstract static sealed class Node permits Scalar, Map, Seq {
        final List<String> above = new ArrayList<>();
        String comment;

        @SuppressWarnings("unchecked")
        <T extends Node> T at(Src src) {
            if (src != null) {
                comment = src.toString();
            }
            return (T) this;
        }

        @SuppressWarnings("unchecked")
        <T extends Node> T note(String c) {
            comment = comment == null ? c : comment + " " + c;
            return (T) this;
        }
    }

    static final class Scalar extends Node {
        final String text;

        Scalar(String text) {
            this.text = text;
        }
    }

    record Entry(String key, Node value) {
    }

    static final class Map extends Node {
        final List<Entry> entries = new ArrayList<>();
        boolean flow;

        Map flow() {
            flow = true;
            return this;
        }

        <T extends Node> T put(String key, T value) {
            entries.removeIf(e -> e.key().equals(key));
            entries.add(new Entry(key, value));
            return value;
        }

        Node get(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).map(Entry::value).findFirst().orElse(null);
        }

        boolean isEmpty() {
            return entries.isEmpty();
        }
    }

    static final class Seq extends Node {
        final List<Node> items = new ArrayList<>();
        boolean flow;

        Seq flow() {
            flow = true;
            return this;
        }

        <T extends Node> T add(T item) {
            items.add(item);
            return item;
        }
    }

    static Scalar str(String s) {
        return new Scalar(quote(s));
    }

    static Scalar num(long n) {
        return new Scalar(Long.toString(n));
    }

    static Scalar bool(boolean b) {
        return new Scalar(Boolean.toString(b));
    }

    /** Text known to be a plain YAML scalar of the intended type (a duration such as {@code 5s}). */
    static Scalar plain(String s) {
        return new Scalar(s);
    }

    static String quote(String s) {
        if (PLAIN.matcher(s).matches() && !NUMBER.matcher(s).matches() && !reserved(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static boolean reserved(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "false", "yes", "no", "on", "off", "null", "y", "n" -> true;
            default -> false;
        };
    }

    /** The whole document: optional header comment lines, then the top mapping. */
    static String write(List<String> header, Map top) {
        StringBuilder out = new StringBuilder();
        for (String h : header) {
            out.append(h.isEmpty() ? "#" : "# " + h).append('\n');
        }
        for (Entry e : top.entries) {
            out.append('\n');
            entry(out, e, 0);
        }
        return out.toString();
    }

    private static void aboveLines(StringBuilder out, Node n, int indent) {
        for (String a : n.above) {
            out.append(" ".repeat(indent)).append(a.isEmpty() ? "#" : "# " + a).append('\n');
        }
    }

    private static void line(StringBuilder out, String text, String comment) {
        out.append(text);
        if (comment != null) {
            int pad = Math.max(2, COMMENT_COLUMN - text.length());
            out.append(" ".repeat(pad)).append("# ").append(comment);
        }
        out.append('\n');
    }

    private static void entry(StringBuilder out, Entry e, int indent) {
        Node v = e.value();
        aboveLines(out, v, indent);
        String head = " ".repeat(indent) + e.key() + ":";
        String inline = inline(v, WIDTH - head.length() - 1);
        if (inline != null) {
            line(out, head + " " + inline, v.comment != null ? v.comment : firstComment(v));
        } else if (v instanceof Map m) {
            line(out, head, v.comment);
            for (Entry c : m.entries) {
                entry(out, c, indent + 2);
            }
        } else {
            line(out, head, v.comment);
            items(out, (Seq) v, indent + 2);
        }
    }

    private static void items(StringBuilder out, Seq s, int indent) {
        String pad = " ".repeat(indent);
        for (Node item : s.items) {
            aboveLines(out, item, indent);
            String inline = inline(item, WIDTH - indent - 2);
            if (inline != null) {
                line(out, pad + "- " + inline, item.comment);
            } else if (item instanceof Map m) {
                StringBuilder sub = new StringBuilder();
                for (Entry c : m.entries) {
                    entry(sub, c, indent + 2);
                }
                String text = sub.toString();
                // The item's dash goes where the first entry's indentation was.
                text = pad + "- " + text.substring(indent + 2);
                if (item.comment != null) {
                    int nl = text.indexOf('\n');
                    String first = text.substring(0, nl);
                    if (!first.contains(" # ")) {
                        StringBuilder f = new StringBuilder();
                        line(f, first, item.comment);
                        text = f + text.substring(nl + 1);
                    }
                }
                out.append(text);
            } else {
                line(out, pad + "-", item.comment);
                items(out, (Seq) item, indent + 2);
            }
        }
    }

    /** For a mapping or list written on one line: the first comment of its parts, which would be lost. */
    private static String firstComment(Node n) {
        List<Node> parts = n instanceof Map m ? m.entries.stream().map(Entry::value).toList()
                : n instanceof Seq s ? s.items : List.of();
        return parts.stream().map(p -> p.comment).filter(c -> c != null).findFirst().orElse(null);
    }

    /** The node on one line, or null when it is (or holds) a block, carries inner comments, or is too wide. */
    private static String inline(Node n, int room) {
        String s = flowText(n, true);
        return s != null && s.length() <= room ? s : null;
    }

    private static String flowText(Node n, boolean top) {
        if (n instanceof Scalar sc) {
            return sc.text;
        }
        if (!top && (n.comment != null || !n.above.isEmpty())) {
            return null;
        }
        if (n instanceof Map m) {
            if (m.entries.isEmpty()) {
                return "{}";
            }
            if (!m.flow) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            for (Entry e : m.entries) {
                String v = flowText(e.value(), false);
                if (v == null) {
                    return null;
                }
                parts.add(e.key() + ": " + v);
            }
            return "{" + String.join(", ", parts) + "}";
        }
        Seq s = (Seq) n;
        if (s.items.isEmpty()) {
            return "[]";
        }
        if (!s.flow) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (Node i : s.items) {
            String v = flowText(i, false);
            if (v == null) {
                return null;
            }
            parts.add(v);
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** The node as one line whatever its style (for comparing checks), comments left out. */
    static String signature(Node n) {
        if (n instanceof Scalar sc) {
            return sc.text;
        }
        if (n instanceof Map m) {
            List<String> parts = new ArrayList<>();
            for (Entry e : m.entries) {
                parts.add(e.key() + ": " + signature(e.value()));
            }
            return "{" + String.join(", ", parts) + "}";
        }
        List<String> parts = new ArrayList<>();
        for (Node i : ((Seq) n).items) {
            parts.add(signature(i));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
