package org.jvs.director.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk against a loopback port for a bounded time and reads its totals. */
final class Wrk {
    record Result(long requests, long socketErrors, long non2xx, String output) {
    }

    private final Process process;

    private Wrk(Process process) {
        this.process = process;
    }

    /** Starts wrk in the background: {@code connections} keep-alive connections for {@code seconds}. */
    static Wrk start(int port, int connections, int seconds) throws IOException {
        return new Wrk(new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "http://127.0.0.1:" + port + "/")
                .redirectErrorStream(true).start());
    }

    Result await() throws IOException, InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        long requests = number(out, "(\\d+) requests in");
        long errors = 0;
        Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (m.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(m.group(i));
            }
        }
        long non2xx = number(out, "Non-2xx or 3xx responses: (\\d+)");
        return new Result(requests, errors, non2xx, out);
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
