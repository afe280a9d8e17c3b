package org.jvs.director.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's HTTP side with curl as the browser: the page's security headers, login and its cookie,
 * CSRF, same-origin and JSON-only changes, read-only users, throttling, logout, the event stream, reloads
 * that remove users, and the quiesce/restore/drain/weight routes.
 */
class ConsoleServerTest extends ConsoleFixture {
    @BeforeEach
    void up() throws Exception {
        start();
    }

    @Test
    void thePageAndItsScriptsComeWithAPolicyThatAllowsOnlyThisOrigin() throws Exception {
        Answer page = curl(null, "GET", "/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers()).containsIgnoringCase("content-type: text/html")
                .contains("Content-Security-Policy: " + ConsoleServer.CSP)
                .contains("X-Content-Type-Options: nosniff").contains("X-Frame-Options: DENY").contains("Cache-Control: no-store");
        assertThat(page.body()).contains("<script src=\"/static/console.js\" defer></script>").doesNotContain("onclick").doesNotContain("style=");
        for (String f : List.of("console.js", "console.css", "uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE.txt")) {
            assertThat(curl(null, "GET", "/static/" + f, null).status()).as(f).isEqualTo(200);
        }
        assertThat(curl(null, "GET", "/static/console.js", null).headers()).containsIgnoringCase("content-type: text/javascript");
        assertThat(curl(null, "GET", "/static/../jvs.yaml", null).status()).isEqualTo(401); // nothing but the listed files
        assertThat(curl(null, "POST", "/", "{}").status()).isEqualTo(405);
    }

    @Test
    void aPageAndItsFilesShareOneConnectionAndGoCompressed() throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--compressed", "--cacert", dir.resolve("jvs-api.crt").toString(),
                "-w", "%{num_connects} %{size_download}\\n", // one format for every URL: curl has only one
                "-o", dir.resolve("a").toString(), base() + "/static/uPlot.iife.min.js",
                "-o", dir.resolve("b").toString(), base() + "/static/console.js",
                "-D", dir.resolve("h").toString(), "-o", dir.resolve("c").toString(), base() + "/")
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor()).isZero();
        assertThat(lines.get(0)).startsWith("1 ");
        assertThat(lines.get(1)).startsWith("0 "); // the second file came over the first's connection
        assertThat(lines.get(2)).startsWith("0 ");
        long wire = Long.parseLong(lines.get(0).split(" ")[1]);
        byte[] js = Files.readAllBytes(dir.resolve("a"));
        assertThat(new String(js, StandardCharsets.UTF_8)).isEqualTo(curl(null, "GET", "/static/uPlot.iife.min.js", null).body());
        assertThat(wire).isLessThan(js.length / 2); // gzip on the wire, the same bytes once curl has inflated them
        assertThat(Files.readString(dir.resolve("h"))).contains("Content-Encoding: gzip").contains("Content-Security-Policy: ");
        // a request with a body closes the connection after its answer: nothing of it is left to misread
        assertThat(curl(null, "POST", "/login", "{\"user\":\"x\",\"password\":\"y\"}").headers()).contains("Connection: close");
    }

    @Test
    void loginSetsAHostOnlySecureHttpOnlyStrictCookieAndWrongPasswordsAreRefusedAlike() throws Exception {
        Answer wrong = curl("jar", "POST", "/login", "{\"user\":\"alice\",\"password\":\"not-her-password\"}");
        Answer nobody = curl("jar", "POST", "/login", "{\"user\":\"mallory\",\"password\":\"" + ALICE + "\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(nobody.status()).isEqualTo(401);
        assertThat(nobody.body()).isEqualTo(wrong.body()); // no telling which names exist
        assertThat(wrong.headers()).doesNotContainIgnoringCase("set-cookie");
        Answer ok = curl("jar", "POST", "/login", "{\"user\":\"alice\",\"password\":\"" + ALICE + "\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json()).containsEntry("user", "alice").containsEntry("access", "read-write").containsKey("csrf");
        assertThat(ok.headers()).containsPattern("Set-Cookie: __Host-jvs_session=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict\r\n");
        assertThat(curl("jar", "GET", "/session", null).json()).containsEntry("user", "alice");
        assertThat(audit()).anyMatch(l -> l.startsWith("console login refused for 'mallory' from 127.0.0.1"))
                .anyMatch(l -> l.startsWith("console login alice (read-write) from 127.0.0.1"));
        assertThat(String.join("\n", audit())).doesNotContain(ALICE).doesNotContain("not-her-password");
        assertThat(curl("jar", "POST", "/login", "{\"user\":\"alice\"}").status()).isEqualTo(400);
        assertThat(curl("jar", "POST", "/login", "user=alice&password=x", "Content-Type: application/x-www-form-urlencoded").status())
                .isEqualTo(415);
    }

    @Test
    void withoutASessionOnlyThePageAndTheLoginAnswer() throws Exception {
        for (String path : List.of("/session", "/events", "/v1/status", "/v1/snapshot")) {
            assertThat(curl(null, "GET", path, null).status()).as(path).isEqualTo(401);
        }
        assertThat(curl(null, "POST", "/v1/servers/quiesce", "{\"service\":\"" + service() + "\",\"server\":\"" + server(2) + "\"}").status())
                .isEqualTo(401);
        assertThat(curl("forged", "GET", "/v1/status", null, "Cookie: __Host-jvs_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status())
                .isEqualTo(401);
        assertThat(weight(2)).isEqualTo(1);
    }

    @Test
    void aChangeNeedsTheSessionsCsrfTokenAJsonBodyAndThisOrigin() throws Exception {
        String csrf = login("jar", "alice", ALICE);
        String body = target(2);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", body).status()).isEqualTo(403);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", body, "X-CSRF-Token: " + csrf.substring(1) + "x").status()).isEqualTo(403);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", body, "X-CSRF-Token: " + csrf, "Content-Type: text/plain").status())
                .isEqualTo(415);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", body, "X-CSRF-Token: " + csrf, "Origin: https://evil.example").status())
                .isEqualTo(403);
        assertThat(weight(2)).isEqualTo(1); // none of those changed anything
        Answer ok = curl("jar", "POST", "/v1/servers/quiesce", body, "X-CSRF-Token: " + csrf, "Origin: " + base());
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(weight(2)).isEqualTo(0);
        assertThat(audit()).anyMatch(l -> l.equals("change by alice (console): quiesce " + service() + " " + server(2)))
                .anyMatch(l -> l.startsWith("refused (missing or wrong CSRF token"));
        // the control API's own answers and errors, as jvsadm sees them
        Answer bad = curl("jar", "POST", "/v1/ipvsadm", "{\"argv\":[\"-a\",\"-t\",\"127.0.0.1:" + servicePort + "\",\"-r\",\"127.0.0.1:1\",\"-w\",\"70000\"]}",
                "X-CSRF-Token: " + csrf);
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.json().get("exit")).isEqualTo(2L);
        assertThat((String) bad.json().get("stderr")).contains("illegal weight specified"); // ipvsadm's words
    }

    @Test
    void aReadOnlyUserSeesEverythingAndChangesNothing() throws Exception {
        String csrf = login("ro", "noc", NOC);
        assertThat(curl("ro", "GET", "/v1/snapshot", null).status()).isEqualTo(200);
        Answer list = curl("ro", "POST", "/v1/ipvsadm", "{\"argv\":[\"-L\",\"-n\"]}", "X-CSRF-Token: " + csrf);
        assertThat(list.json().get("exit")).isEqualTo(0L);
        Answer quiesce = curl("ro", "POST", "/v1/servers/quiesce", target(2), "X-CSRF-Token: " + csrf);
        assertThat(quiesce.status()).isEqualTo(403);
        assertThat(quiesce.body()).contains("noc (console) is read-only");
        Answer delete = curl("ro", "POST", "/v1/ipvsadm", "{\"argv\":[\"-d\",\"-t\",\"127.0.0.1:" + servicePort + "\",\"-r\",\"" + server(2) + "\"]}",
                "X-CSRF-Token: " + csrf);
        assertThat(delete.status()).isEqualTo(403);
        assertThat(curl("ro", "POST", "/v1/reload", "{}", "X-CSRF-Token: " + csrf).status()).isEqualTo(403);
        assertThat(weight(2)).isEqualTo(1);
        assertThat(director.loadBalancer().service(director.loadBalancer().services().getFirst().key()).dests()).hasSize(3);
        assertThat(audit()).anyMatch(l -> l.startsWith("change by noc (console): refused (read-only)"));
    }

    @Test
    void failedLoginsAreThrottledAndTheRightPasswordWaitsToo() throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(curl(null, "POST", "/login", "{\"user\":\"alice\",\"password\":\"guess-" + i + "\"}").status()).isEqualTo(401);
        }
        Answer throttled = curl(null, "POST", "/login", "{\"user\":\"alice\",\"password\":\"" + ALICE + "\"}");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.headers()).containsPattern("Retry-After: [12]\r\n");
        assertThat(throttled.json()).containsKey("retry_after_s");
        // another name from this address waits as well: the address is counted too
        assertThat(curl(null, "POST", "/login", "{\"user\":\"noc\",\"password\":\"" + NOC + "\"}").status()).isEqualTo(429);
        assertThat(audit()).anyMatch(l -> l.startsWith("console login throttled for 'alice' from 127.0.0.1"));
        Thread.sleep(1100); // the first delay is one second
        assertThat(curl("jar", "POST", "/login", "{\"user\":\"alice\",\"password\":\"" + ALICE + "\"}").status()).isEqualTo(200);
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() throws Exception {
        String csrf = login("jar", "alice", ALICE);
        Files.copy(dir.resolve("jar"), dir.resolve("stolen"));
        assertThat(curl("jar", "POST", "/logout", "{}").status()).isEqualTo(403); // logout is a change: it needs the token
        Answer out = curl("jar", "POST", "/logout", "{}", "X-CSRF-Token: " + csrf);
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.headers()).contains("Set-Cookie: __Host-jvs_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
        assertThat(curl("stolen", "GET", "/session", null).status()).isEqualTo(401); // the old cookie is worth nothing
        assertThat(audit()).anyMatch(l -> l.startsWith("console logout alice"));
    }

    @Test
    void theEventStreamSendsTheHistoryThenTheStateAndAChangeAtOnce() throws Exception {
        String csrf = login("jar", "alice", ALICE);
        var out = dir.resolve("events");
        Process stream = new ProcessBuilder("curl", "-sSN", "--max-time", "4", "--cacert", dir.resolve("jvs-api.crt").toString(),
                "-b", dir.resolve("jar").toString(), "-D", dir.resolve("stream-headers").toString(), base() + "/events")
                .redirectOutput(out.toFile()).redirectErrorStream(false).start();
        try {
            assertThat(eventually(3000, () -> read(out).contains("event: state"))).isTrue();
            assertThat(curl("jar", "POST", "/v1/servers/quiesce", target(3), "X-CSRF-Token: " + csrf).status()).isEqualTo(200);
            stream.waitFor();
        } finally {
            stream.destroyForcibly();
        }
        String text = read(out);
        assertThat(Files.readString(dir.resolve("stream-headers"))).containsIgnoringCase("content-type: text/event-stream");
        assertThat(text).startsWith("retry: 2000\n\nevent: history\ndata: {\"t\":[");
        List<Map<String, Object>> states = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            if (block.startsWith("event: state\ndata: ")) {
                states.add(parse(block.substring("event: state\ndata: ".length())));
            }
        }
        assertThat(states.size()).isGreaterThanOrEqualTo(3);
        Map<String, Object> last = states.getLast();
        assertThat(text).contains("\"names\":{\"" + service() + "\":\"quickstart\"");
        assertThat(last.keySet()).contains("director", "servers", "snapshot", "health", "feedback", "vrrp", "sync");
        assertThat(text).contains("\"service\":\"" + service() + "\",\"server\":\"" + server(3) + "\",\"source\":\"admin\"");
        // the quiesce arrived as soon as it was made: a state with a newer generation carries it
        long before = (Long) states.getFirst().get("generation");
        assertThat((Long) last.get("generation")).isGreaterThan(before);
    }

    @Test
    void aSessionsFifthStreamEndsItsOldestWhichIsToldSo() throws Exception {
        login("jar", "alice", ALICE);
        List<Process> streams = new ArrayList<>();
        try {
            for (int i = 0; i <= ConsoleServer.MAX_STREAMS_PER_SESSION; i++) {
                var out = dir.resolve("stream-" + i);
                streams.add(new ProcessBuilder("curl", "-sSN", "--max-time", "4", "--cacert", dir.resolve("jvs-api.crt").toString(),
                        "-b", dir.resolve("jar").toString(), base() + "/events").redirectOutput(out.toFile()).start());
                assertThat(eventually(3000, () -> read(out).contains("event: state"))).as("stream " + i).isTrue();
            }
            assertThat(eventually(3000, () -> read(dir.resolve("stream-0")).contains("event: superseded"))).isTrue();
            for (int i = 1; i <= ConsoleServer.MAX_STREAMS_PER_SESSION; i++) {
                assertThat(read(dir.resolve("stream-" + i))).doesNotContain("superseded");
            }
        } finally {
            streams.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aReloadThatRemovesAUserEndsTheirSessionsAndKeepsTheOthers() throws Exception {
        String csrf = login("rw", "alice", ALICE);
        login("ro", "noc", NOC);
        writeConfig("    - {name: alice, access: read-write, password: \"" + ALICE_HASH + "\"}\n");
        Answer reload = curl("rw", "POST", "/v1/reload", "{}", "X-CSRF-Token: " + csrf);
        assertThat(reload.status()).as(reload.body()).isEqualTo(200);
        assertThat(reload.body()).contains("console: users [alice, noc] -> [alice] (1 sessions ended)");
        assertThat(curl("ro", "GET", "/session", null).status()).isEqualTo(401);
        assertThat(curl("ro", "POST", "/login", "{\"user\":\"noc\",\"password\":\"" + NOC + "\"}").status()).isEqualTo(401);
        assertThat(curl("rw", "GET", "/session", null).status()).isEqualTo(200);
    }

    @Test
    void quiesceRestoreWeightAndDrainChangeOnlyTheWeightAndDrainRemovesAnIdleServer() throws Exception {
        String csrf = login("jar", "alice", ALICE);
        String h = "X-CSRF-Token: " + csrf;
        assertThat(curl("jar", "POST", "/v1/servers/weight", "{\"service\":\"" + service() + "\",\"server\":\"" + server(1) + "\",\"weight\":7}", h)
                .status()).isEqualTo(200);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", target(1), h).status()).isEqualTo(200);
        assertThat(weight(1)).isEqualTo(0);
        Answer restore = curl("jar", "POST", "/v1/servers/restore", target(1), h);
        assertThat(restore.json()).containsEntry("result", "restored to weight 7");
        assertThat(weight(1)).isEqualTo(7);
        assertThat(dest(1).spec().method().ipvsadmName()).isEqualTo("Masq"); // an edit through jvsadm -e -w would have made it Route
        // restore without a quiesce before: the file's weight
        assertThat(curl("jar", "POST", "/v1/servers/restore", target(1), h).json()).containsEntry("result", "restored to weight 1");
        Answer drain = curl("jar", "POST", "/v1/servers/drain", target(3), h);
        assertThat(drain.json()).containsEntry("result", "drained and removed");
        assertThat(eventually(2000, () -> director.loadBalancer().services().getFirst().dests().length == 2)).isTrue();
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", "{\"service\":\"tcp 127.0.0.1:1\",\"server\":\"" + server(1) + "\"}", h).status())
                .isEqualTo(422);
        assertThat(curl("jar", "POST", "/v1/servers/quiesce", "{\"service\":1}", h).status()).isEqualTo(400);
        assertThat(curl("jar", "POST", "/v1/servers/weight", "{\"service\":\"" + service() + "\",\"server\":\"" + server(1) + "\",\"weight\":70000}", h)
                .status()).isEqualTo(422);
    }

    private String target(int i) {
        return "{\"service\":\"" + service() + "\",\"server\":\"" + server(i) + "\"}";
    }

    private org.jvs.core.Dest dest(int i) {
        var s = director.loadBalancer().services().stream().filter(x -> x.key().toString().equals(service())).findFirst().orElseThrow();
        for (var d : s.dests()) {
            if (d.spec().address().withPort(d.spec().port()).equals(server(i))) {
                return d;
            }
        }
        throw new AssertionError("no server " + server(i));
    }

    private int weight(int i) {
        return dest(i).spec().weight();
    }

    private static String read(java.nio.file.Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        return (Map<String, Object>) org.jvs.director.api.Json.parse(json);
    }
}
