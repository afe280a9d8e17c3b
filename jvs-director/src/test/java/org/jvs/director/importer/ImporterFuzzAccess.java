package org.jvs.director.importer;

/** Lets the director's fuzz tests reach the importer's text entry point (package-private for users). */
public final class ImporterFuzzAccess {
    private ImporterFuzzAccess() {
    }

    public static KeepalivedImporter.Result importText(String name, String text) throws ImportException {
        return KeepalivedImporter.importText(name, text);
    }
}
