package org.jvs.director.importer;

/**
 * Input the importer cannot read at all: an unreadable file, unbalanced braces, an unknown top-level block,
 * an unterminated quote. The message starts with {@code file:line:} when there is a line to name.
 */
public final class ImportException extends Exception {
    public ImportException(String message) {
        super(message);
    }

    static ImportException at(Src src, String problem) {
        return new ImportException(src + ": " + problem);
    }
}
