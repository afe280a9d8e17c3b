package org.jvs.director;

/**
 * SIGHUP, the Unix convention for "re-read your configuration". The JDK has no public API for it; the
 * jdk.unsupported module's {@code sun.misc.Signal} is the supported way to catch it today.
 */
final class Signals {
    private Signals() {
    }

    @SuppressWarnings("removal")
    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> Thread.ofPlatform().name("jvs-sighup").start(action));
        } catch (IllegalArgumentException e) {
            System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "SIGHUP not available here: reload through the API");
        }
    }
}
