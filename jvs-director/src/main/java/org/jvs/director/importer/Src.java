package org.jvs.director.importer;

/**
 * Where something came from: a file (as shown to the user, relative to the main file's directory) and a line.
 * {@code seq} orders places across included files in reading order, so messages come out in file order.
 */
record Src(String file, int line, long seq) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
