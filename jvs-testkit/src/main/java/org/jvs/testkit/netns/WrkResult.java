package org.jvs.testkit.netns;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** wrk's totals: requests completed, socket errors (connect + read + write + timeout), non-2xx/3xx answers. */
public record WrkResult(long requests, long socketErrors, long non2xx, String output) {
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Reads wrk's text report; a report without a request count is an error, not zero requests. */
    public static WrkResult parse(String output) {
        Matcher req = REQUESTS.matcher(output);
        if (!req.find()) {
            throw new IllegalArgumentException("not a wrk report (no 'N requests in'): " + output.strip());
        }
        long errors = 0;
        Matcher err = ERRORS.matcher(output);
        if (err.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(err.group(g));
            }
        }
        Matcher bad = NON_2XX.matcher(output);
        return new WrkResult(Long.parseLong(req.group(1)), errors, bad.find() ? Long.parseLong(bad.group(1)) : 0, output);
    }
}
