package org.jvs.director;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The audit log's lines ({@code org.jvs.director.audit}) while a test runs; close it to stop listening. */
public final class AuditCapture implements AutoCloseable {
    /** Held: java.util.logging keeps loggers weakly, and a collected one would lose the handler. */
    private final Logger logger = Logger.getLogger("org.jvs.director.audit");
    private final List<String> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (lines) {
                lines.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public AuditCapture() {
        logger.addHandler(handler);
    }

    /** The lines so far, in order. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
