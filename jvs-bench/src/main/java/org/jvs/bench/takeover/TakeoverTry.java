package org.jvs.bench.takeover;

import java.util.Locale;

/**
 * One takeover: which host was killed, when (after the kill) the backup became master and the first new
 * connection was answered, and for a system that syncs connections, how many of the established ones went on
 * being answered by their own server and when the first and the last of them answered again.
 *
 * @param learnt connections the backup knew just before the kill (-1 where nothing is synced)
 * @param survivors established connections answered again by their own server without an error (-1: not measured)
 */
record TakeoverTry(String system, int number, String killed, long masterMs, long firstAnswerMs, String answeredBy,
                   int connections, int learnt, int survivors, long firstEstablishedMs, long lastEstablishedMs) {
    String json() {
        return String.format(Locale.ROOT, "{\"system\":\"%s\",\"try\":%d,\"killed\":\"%s\",\"master_ms\":%d,"
                        + "\"first_answer_ms\":%d,\"answered_by\":\"%s\",\"connections\":%d,\"learnt_by_backup\":%d,"
                        + "\"survivors\":%d,\"first_established_answer_ms\":%d,\"last_established_answer_ms\":%d}",
                system, number, killed, masterMs, firstAnswerMs, answeredBy, connections, learnt, survivors,
                firstEstablishedMs, lastEstablishedMs);
    }

    String line() {
        String kept = survivors < 0 ? "not synced" : String.format(Locale.ROOT,
                "%d/%d survived (backup knew %d), they answered again %d..%d ms after the kill",
                survivors, connections, learnt, firstEstablishedMs, lastEstablishedMs);
        return String.format(Locale.ROOT, "%-10s try %2d (killed %-9s): MASTER %5d ms, first answer %5d ms (%s); %s",
                system, number, killed, masterMs, firstAnswerMs, answeredBy, kept);
    }
}
