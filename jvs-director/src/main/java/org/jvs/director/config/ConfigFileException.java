package org.jvs.director.config;

import java.nio.file.Path;
import org.jvs.core.model.ConfigException;

/**
 * A configuration file JVS refuses, pointing at the place: {@code file:line:column: field: problem}. Lines
 * and columns count from 1, as editors show them.
 */
public final class ConfigFileException extends ConfigException {
    private final Path file;
    private final int line;
    private final int column;
    private final String field;
    private final String problem;

    public ConfigFileException(Path file, int line, int column, String field, String problem) {
        super(format(file, line, column, field, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.field = field;
        this.problem = problem;
    }

    private static String format(Path file, int line, int column, String field, String problem) {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(problem).toString();
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
