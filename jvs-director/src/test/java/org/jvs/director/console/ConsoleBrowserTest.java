package org.jvs.director.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's Chromium, headless, driven by its chromedriver through Selenium.
 * Logs in, watches the quickstart's three backends and their counters move under a load loop, quiesces one
 * and sees (with plain HTTP requests) the scheduler stop sending to it, restores it, checks that markup in a
 * service's name shows as text, that a change without the CSRF token and a read-only user's change are
 * refused, and logs out. It also prints the page-load and live-update figures (not asserted: a shared machine
 * times nothing reliably; bench/console.sh collects them).
 */
class ConsoleBrowserTest extends ConsoleFixture {
    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void up() throws Exception {
        start();
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        // root in CI: Chromium's sandbox needs an unprivileged user; the profile lives in the test's directory
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + dir.resolve("chromium"), "--no-first-run", "--disable-background-networking");
        o.setAcceptInsecureCerts(true); // the console's own self-signed certificate
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, o);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            try {
                for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
                    System.out.println("browser: " + e); // what the page said, for a failure's report
                }
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void anOperatorLogsInWatchesQuiescesRestoresAndLogsOut() throws Exception {
        browser.get(base() + "/");
        wait.until(b -> b.findElement(By.id("login")).isDisplayed());
        logIn("alice", "wrong-password-here");
        wait.until(b -> b.findElement(By.id("message")).getText().contains("wrong user name or password"));
        assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

        logIn("alice", ALICE);
        WebElement block = wait.until(b -> b.findElement(By.cssSelector(".service[data-service=\"" + service() + "\"]")));
        wait.until(b -> block.findElements(By.cssSelector("tbody tr")).size() == 3);
        assertThat(block.findElement(By.className("name")).getText()).isEqualTo("quickstart");
        wait.until(b -> row(2).findElement(By.className("c-state")).getText().equals("UP"));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("alice (read-write)");

        // markup in a name is text: shown as typed, never run, never an element
        WebElement other = browser.findElement(By.cssSelector(".service[data-service=\"tcp 127.0.0.1:" + otherPort + "\"] .name"));
        assertThat(other.getText()).isEqualTo(MARKUP_NAME);
        assertThat(browser.findElements(By.id("injected"))).isEmpty();
        assertThat(js("return window.injected === undefined")).isEqualTo(true);

        // the charts are drawn (the policy lets the vendored uPlot run)
        wait.until(b -> !b.findElements(By.cssSelector("#chart-conns canvas")).isEmpty());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread load = Thread.ofPlatform().daemon().start(() -> {
            long end = System.nanoTime() + 60_000_000_000L; // bounded: a minute, or until the test stops it
            while (!stop.get() && System.nanoTime() < end && sent.get() < 20_000) {
                try {
                    hit();
                    sent.incrementAndGet();
                    Thread.sleep(5);
                } catch (Exception e) {
                    // the loop only makes the counters move; the assertions below check the service
                }
            }
        });
        try {
            Map<Integer, Long> before = new HashMap<>();
            for (int i = 1; i <= 3; i++) {
                before.put(i, conns(i));
            }
            for (int i = 1; i <= 3; i++) {
                int n = i;
                wait.until(b -> conns(n) >= before.get(n) + 10); // every backend's counter moves, live, with no reload
            }
            wait.until(b -> !row(1).findElement(By.className("c-conn-s")).getText().isEmpty());

            row(2).findElement(By.className("quiesce")).click();
            wait.until(b -> row(2).findElement(By.className("c-state")).getText().equals("QUIESCED"));
            assertThat(row(2).findElement(By.className("c-configured")).getText()).isEqualTo("0");
            assertThat(row(2).findElement(By.className("quiesce")).getText()).isEqualTo("Restore (1)");
            stop.set(true);
            load.join(5000);
            List<String> answered = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answered.add(curlService());
            }
            assertThat(answered).doesNotContain("backend-2").contains("backend-1", "backend-3");

            row(2).findElement(By.className("quiesce")).click();
            wait.until(b -> row(2).findElement(By.className("c-state")).getText().equals("UP"));
            assertThat(row(2).findElement(By.className("c-configured")).getText()).isEqualTo("1");
        } finally {
            stop.set(true);
            load.join(5000);
        }

        // a change without the CSRF token, made from the page itself, is refused
        Object status = asyncJs("fetch('/v1/servers/quiesce', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({service: arguments[0], server: arguments[1]})}).then(r => done(r.status))", service(), server(1));
        assertThat(status).isEqualTo(403L);
        assertThat(weightNow(1)).isEqualTo(1);

        printFigures();

        browser.findElement(By.id("logout")).click();
        wait.until(b -> b.findElement(By.id("login")).isDisplayed());
        assertThat(asyncJs("fetch('/v1/status').then(r => done(r.status))")).isEqualTo(401L);
        assertThat(cspViolations()).isEmpty();
    }

    @Test
    void theFormsAddEditDrainAndRemoveAndShowTheApisOwnErrors() throws Exception {
        browser.get(base() + "/");
        wait.until(b -> b.findElement(By.id("login")).isDisplayed());
        logIn("alice", ALICE);
        wait.until(b -> b.findElements(By.cssSelector(".service[data-service=\"" + service() + "\"] tbody tr")).size() == 3);
        int port = freePort();
        String key = "tcp 127.0.0.1:" + port;
        browser.findElement(By.id("add-service-address")).sendKeys("127.0.0.1:" + port);
        browser.findElement(By.id("add-service-scheduler")).sendKeys("wlc");
        browser.findElement(By.cssSelector("#add-service button[type=submit]")).click();
        WebElement block = wait.until(b -> b.findElement(By.cssSelector(".service[data-service=\"" + key + "\"]")));
        wait.until(b -> block.findElement(By.className("meta")).getText().startsWith("wlc"));

        // a weight out of range is stopped by the form itself; nothing is sent, nothing added
        block.findElement(By.className("add-server-address")).sendKeys(server(1));
        new org.openqa.selenium.support.ui.Select(block.findElement(By.className("add-server-method"))).selectByVisibleText("nat");
        WebElement weight = block.findElement(By.className("add-server-weight"));
        weight.clear();
        weight.sendKeys("70000");
        block.findElement(By.cssSelector(".add-server button[type=submit]")).click();
        assertThat(js("return arguments[0].validity.rangeOverflow", weight)).isEqualTo(true);
        weight.clear();
        weight.sendKeys("2");
        block.findElement(By.cssSelector(".add-server button[type=submit]")).click();
        String rowKey = key + "|" + server(1);
        wait.until(b -> !b.findElements(By.cssSelector("tr[data-server=\"" + rowKey + "\"]")).isEmpty());
        WebElement row = browser.findElement(By.cssSelector("tr[data-server=\"" + rowKey + "\"]"));
        // what the balancer refuses is refused here with jvsadm's own words
        block.findElement(By.className("add-server-address")).sendKeys(server(1));
        block.findElement(By.cssSelector(".add-server button[type=submit]")).click();
        wait.until(b -> b.findElement(By.id("message")).getText().startsWith("jvsadm: "));
        assertThat(browser.findElement(By.id("message")).getText()).contains("already exists");
        assertThat(block.findElements(By.cssSelector("tbody tr"))).hasSize(1);
        block.findElement(By.className("add-server-address")).clear();
        assertThat(row.findElement(By.className("c-configured")).getText()).isEqualTo("2");
        assertThat(row.findElement(By.className("c-forward")).getText()).isEqualTo("Masq");

        row.findElement(By.className("weight-input")).sendKeys("5");
        row.findElement(By.className("set-weight")).click();
        wait.until(b -> row.findElement(By.className("c-configured")).getText().equals("5"));

        WebElement sched = block.findElement(By.className("scheduler-input"));
        sched.clear();
        sched.sendKeys("sh");
        WebElement persist = block.findElement(By.className("persistence-input"));
        persist.sendKeys("300");
        block.findElement(By.className("set-scheduler")).click();
        wait.until(b -> block.findElement(By.className("meta")).getText().startsWith("sh · socket engine · persistent 300s"));
        persist.clear();
        block.findElement(By.className("set-scheduler")).click(); // an empty field: not persistent any more
        wait.until(b -> !block.findElement(By.className("meta")).getText().contains("persistent"));
        assertThat(block.findElement(By.className("meta")).getText()).startsWith("sh");

        // drain: no connection, so it goes at once; then a server removed with the two-step button
        row.findElement(By.className("drain")).click();
        wait.until(b -> b.findElements(By.cssSelector("tr[data-server=\"" + rowKey + "\"]")).isEmpty());
        block.findElement(By.className("add-server-address")).sendKeys(server(2));
        block.findElement(By.cssSelector(".add-server button[type=submit]")).click();
        String row2 = key + "|" + server(2);
        WebElement second = wait.until(b -> b.findElement(By.cssSelector("tr[data-server=\"" + row2 + "\"]")));
        WebElement remove = second.findElement(By.className("remove-server"));
        remove.click();
        assertThat(remove.getText()).isEqualTo("Confirm remove"); // one click asks; nothing is removed yet
        assertThat(browser.findElements(By.cssSelector("tr[data-server=\"" + row2 + "\"]"))).hasSize(1);
        remove.click();
        wait.until(b -> b.findElements(By.cssSelector("tr[data-server=\"" + row2 + "\"]")).isEmpty());

        WebElement removeService = block.findElement(By.className("remove-service"));
        removeService.click();
        removeService.click();
        wait.until(b -> b.findElements(By.cssSelector(".service[data-service=\"" + key + "\"]")).isEmpty());
        assertThat(director.loadBalancer().services()).hasSize(2);

        browser.findElement(By.id("reload")).click();
        wait.until(b -> b.findElement(By.id("message")).getText().startsWith("reloaded: "));
        assertThat(audit()).anyMatch(l -> l.startsWith("change by alice (console): jvsadm -A -t 127.0.0.1:" + port))
                .anyMatch(l -> l.startsWith("change by alice (console): drain " + key))
                .anyMatch(l -> l.startsWith("change by alice (console): reload"));
        assertThat(cspViolations()).isEmpty();
    }

    @Test
    void aReadOnlyUserSeesNoChangeControlsAndAForgedChangeIsRefused() throws Exception {
        browser.get(base() + "/");
        wait.until(b -> b.findElement(By.id("login")).isDisplayed());
        logIn("noc", NOC);
        wait.until(b -> b.findElements(By.cssSelector(".service[data-service=\"" + service() + "\"] tbody tr")).size() == 3);
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("noc (read-only)");
        assertThat(row(1).findElement(By.className("quiesce")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("reload")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("add-service")).isDisplayed()).isFalse();
        // the controls are hidden, and the API refuses the change even with the session's own token
        Object status = asyncJs("fetch('/session').then(r => r.json()).then(s => fetch('/v1/servers/quiesce', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf},"
                + " body: JSON.stringify({service: arguments[0], server: arguments[1]})})).then(r => done(r.status))", service(), server(1));
        assertThat(status).isEqualTo(403L);
        assertThat(weightNow(1)).isEqualTo(1);
        try {
            browser.switchTo().alert();
            throw new AssertionError("an alert opened");
        } catch (NoAlertPresentException expected) {
            // nothing ran that should not have
        }
        assertThat(cspViolations()).isEmpty();
    }

    private void logIn(String user, String password) {
        WebElement u = browser.findElement(By.id("user"));
        u.clear();
        u.sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
    }

    private WebElement row(int i) {
        return browser.findElement(By.cssSelector("tr[data-server=\"" + service() + "|" + server(i) + "\"]"));
    }

    private long conns(int i) {
        String t = row(i).findElement(By.className("c-conns")).getText();
        return t.isEmpty() ? -1 : Long.parseLong(t);
    }

    private int weightNow(int i) {
        var s = director.loadBalancer().services().stream().filter(x -> x.key().toString().equals(service())).findFirst().orElseThrow();
        for (var d : s.dests()) {
            if (d.spec().address().withPort(d.spec().port()).equals(server(i))) {
                return d.spec().weight();
            }
        }
        return -1;
    }

    /** One request with curl, as the check says: which backend answered. */
    private String curlService() throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "3", "http://127.0.0.1:" + servicePort + "/").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Runs {@code body} with {@code done} as the callback that ends it. */
    private Object asyncJs(String body, Object... args) {
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(15));
        return ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1]; " + body, args);
    }

    private List<String> cspViolations() {
        List<String> bad = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Refused to")) {
                bad.add(e.getMessage());
            }
        }
        return bad;
    }

    /**
     * Page load (navigation start to the load event, and to the first live state drawn) and live-update
     * latency (a weight changed through the API from the page, to the new weight in the table), printed and
     * written to target/console-figures.json for bench/console.sh.
     */
    private void printFigures() throws Exception {
        browser.navigate().refresh();
        wait.until(b -> js("return window.jvs && window.jvs.firstRenderMs !== null").equals(true));
        double load = ((Number) js("const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime")).doubleValue();
        double first = ((Number) js("return window.jvs.firstRenderMs")).doubleValue();
        List<Double> latencies = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            int w = 2 + (k % 2);
            Object ms = asyncJs("const cell = () => document.querySelector('tr[data-server=\"' + arguments[0] + '|' + arguments[1] + '\"] .c-configured');"
                    + " const s = await (await fetch('/session')).json(); const t0 = performance.now();"
                    + " await fetch('/v1/servers/weight', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf},"
                    + "   body: JSON.stringify({service: arguments[0], server: arguments[1], weight: arguments[2]})});"
                    + " const tick = () => { if (cell().textContent === String(arguments[2])) done(performance.now() - t0); else requestAnimationFrame(tick); };"
                    + " tick();", service(), server(3), w);
            latencies.add(((Number) ms).doubleValue());
        }
        latencies.sort(Double::compare);
        String json = "{\"page_load_ms\":%.1f,\"first_live_state_ms\":%.1f,\"update_latency_ms\":{\"median\":%.1f,\"max\":%.1f,\"samples\":%s}}"
                .formatted(load, first, latencies.get(latencies.size() / 2), latencies.getLast(), latencies);
        System.out.println("console figures: " + json);
        Path out = Path.of("target", "console-figures.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json + "\n");
    }
}
