package org.jvs.cli;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A minimal streaming JSON writer (RFC 8259), compact output: enough for listings and answers, so that
 * jvs-cli needs no JSON library. Misuse (a value where a name is due) is the caller's bug, not checked.
 */
public final class JsonWriter {
    private final StringBuilder sb = new StringBuilder();
    /** One entry per open object or array: whether nothing has been written in it yet. */
    private final Deque<Boolean> empty = new ArrayDeque<>();
    private boolean afterName;

    public JsonWriter beginObject() {
        separate();
        sb.append('{');
        empty.push(true);
        return this;
    }

    public JsonWriter endObject() {
        empty.pop();
        sb.append('}');
        return this;
    }

    public JsonWriter beginArray() {
        separate();
        sb.append('[');
        empty.push(true);
        return this;
    }

    public JsonWriter endArray() {
        empty.pop();
        sb.append(']');
        return this;
    }

    public JsonWriter name(String name) {
        separate();
        appendQuoted(name);
        sb.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        separate();
        if (s == null) {
            sb.append("null");
        } else {
            appendQuoted(s);
        }
        return this;
    }

    public JsonWriter value(long v) {
        separate();
        sb.append(v);
        return this;
    }

    public JsonWriter value(double v) {
        separate();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(v);
        }
        return this;
    }

    public JsonWriter value(boolean v) {
        separate();
        sb.append(v);
        return this;
    }

    public JsonWriter nullValue() {
        separate();
        sb.append("null");
        return this;
    }

    public JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, double v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, boolean v) {
        return name(name).value(v);
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!empty.isEmpty()) {
            if (!empty.peek()) {
                sb.append(',');
            } else {
                empty.pop();
                empty.push(false);
            }
        }
    }

    private void appendQuoted(String s) {
        quoteTo(sb, s);
    }

    /** A JSON string literal, quotes included: the one escaping rule of the project's JSON. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        quoteTo(b, s);
        return b.toString();
    }

    private static void quoteTo(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
