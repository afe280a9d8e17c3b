package org.jvs.director;

/**
 * One line per event through the JDK's own logging (what {@link System.Logger} uses by default), so the
 * director needs no logging library: {@code 2026-11-22T08:40:00.123+0000 INFO    org.jvs.director: message}.
 */
final class Logging {
    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$-7s %3$s: %5$s%6$s%n");
        }
        java.util.logging.LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.ConsoleHandler h = new java.util.logging.ConsoleHandler();
        h.setFormatter(new java.util.logging.SimpleFormatter());
        root.addHandler(h);
    }
}
