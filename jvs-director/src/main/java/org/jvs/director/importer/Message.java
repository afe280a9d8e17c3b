package org.jvs.director.importer;

/**
 * One message of an import, for standard error. A {@code warning} names a line that was not translated (or not
 * faithfully): any warning makes {@link ImportMain} exit 1. A {@code note} explains a translation that needs no
 * action, or a difference worth knowing.
 */
public record Message(String file, int line, boolean warning, String text, long seq) {

    static Message warning(Src src, String text) {
        return new Message(src.file(), src.line(), true, text, src.seq());
    }

    static Message note(Src src, String text) {
        return new Message(src.file(), src.line(), false, text, src.seq());
    }

    /** {@code keepalived.conf:42: 'lvs_method TUN' ...}, or {@code keepalived.conf:3: note: ...}. */
    public String format() {
        return file + ":" + line + ": " + (warning ? "" : "note: ") + text;
    }
}
