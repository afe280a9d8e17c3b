package org.jvs.feedback;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The light agent's wire format: the director sends one line {@code jvs-feedback 1}, the agent answers
 * {@code jvs-agent 1}, then one {@code key value} line per figure, then {@code end}, and closes. Lines end
 * in LF, are ASCII, at most {@link #MAX_LINE} bytes; the whole answer at most {@link #MAX_REPLY} bytes.
 * Unknown keys are skipped (newer agents may say more); a figure the agent cannot read is left out.
 *
 * <pre>
 * jvs-agent 1
 * load1 0.42
 * cpus 2
 * disk_percent 37.5
 * mem_total_kb 24563120
 * mem_available_kb 20123456
 * processes 183
 * end
 * </pre>
 */
public final class AgentProtocol {
    public static final String REQUEST = "jvs-feedback 1";
    public static final String GREETING = "jvs-agent 1";
    public static final String END = "end";
    public static final int MAX_LINE = 256;
    public static final int MAX_REPLY = 4096;

    private AgentProtocol() {
    }

    public static String format(Sample s) {
        StringBuilder b = new StringBuilder(GREETING).append('\n');
        if (!Double.isNaN(s.load1())) {
            b.append("load1 ").append(String.format(Locale.ROOT, "%.2f", s.load1())).append('\n');
        }
        if (s.cpus() > 0) {
            b.append("cpus ").append(s.cpus()).append('\n');
        }
        if (!Double.isNaN(s.diskPercent())) {
            b.append("disk_percent ").append(String.format(Locale.ROOT, "%.1f", s.diskPercent())).append('\n');
        }
        if (s.memTotalKb() >= 0) {
            b.append("mem_total_kb ").append(s.memTotalKb()).append('\n');
        }
        if (s.memAvailableKb() >= 0) {
            b.append("mem_available_kb ").append(s.memAvailableKb()).append('\n');
        }
        if (s.processes() >= 0) {
            b.append("processes ").append(s.processes()).append('\n');
        }
        return b.append(END).append('\n').toString();
    }

    /** Parses an answer's lines; a problem throws with the line that shows it. */
    public static Sample parse(List<String> lines, String where) throws CollectorException {
        if (lines.isEmpty() || !lines.getFirst().equals(GREETING)) {
            throw new CollectorException(where + ": not a JVS agent (expected '" + GREETING + "', got "
                    + (lines.isEmpty() ? "nothing" : "'" + printable(lines.getFirst()) + "'") + ")");
        }
        if (!lines.getLast().equals(END)) {
            throw new CollectorException(where + ": answer cut short (no '" + END + "' line)");
        }
        Map<String, String> v = new HashMap<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || !line.substring(0, sp).matches("[a-z][a-z0-9_]*")) {
                throw new CollectorException(where + ": malformed line '" + printable(line) + "' (expected 'key value')");
            }
            if (v.put(line.substring(0, sp), line.substring(sp + 1)) != null) {
                throw new CollectorException(where + ": '" + line.substring(0, sp) + "' given twice");
            }
        }
        Sample s = new Sample(decimal(v, "load1", where), (int) whole(v, "cpus", where, Integer.MAX_VALUE),
                decimal(v, "disk_percent", where), whole(v, "mem_total_kb", where, Long.MAX_VALUE),
                whole(v, "mem_available_kb", where, Long.MAX_VALUE), whole(v, "processes", where, Long.MAX_VALUE), Double.NaN);
        if (s.diskPercent() > 100) {
            throw new CollectorException(where + ": disk_percent " + s.diskPercent() + " above 100");
        }
        if (s.empty()) {
            throw new CollectorException(where + ": the agent reported no figure");
        }
        return s;
    }

    private static double decimal(Map<String, String> v, String key, String where) throws CollectorException {
        String s = v.get(key);
        if (s == null) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d) || d < 0 || !s.matches("[0-9]+(\\.[0-9]+)?")) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new CollectorException(where + ": " + key + " must be a number >= 0, got '" + printable(s) + "'");
        }
    }

    private static long whole(Map<String, String> v, String key, String where, long max) throws CollectorException {
        String s = v.get(key);
        if (s == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0 || n > max || !s.matches("[0-9]+")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CollectorException(where + ": " + key + " must be a whole number >= 0, got '" + printable(s) + "'");
        }
    }

    /** A peer's text for an error message: control characters shown as '?', at most 60 characters. */
    static String printable(String s) {
        String t = s.chars().map(c -> c < 0x20 || c > 0x7e ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return t.length() > 60 ? t.substring(0, 60) + "..." : t;
    }
}
