package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvs.proxy.http.sched.Requests.get;
import static org.jvs.proxy.http.sched.Requests.load;
import static org.jvs.proxy.http.sched.Requests.request;

import java.util.List;
import java.util.regex.Pattern;
import org.jvs.core.time.ManualClock;
import org.jvs.proxy.http.Method;
import org.junit.jupiter.api.Test;

/** Content rules (thesis 6.3.6): CGI to the CGI servers, images to the image servers, the rest by default. */
class ContentSchedulersTest {

    final ServerSet s = Requests.servers(5);
    final List<ContentRule> rules = List.of(
            new ContentRule("cgi", null, "/cgi-bin/", null, null, null, null, 0b00011),
            new ContentRule("images", null, null, Pattern.compile("\\.(png|jpg|gif)$"), null, null, null, 0b01100),
            new ContentRule("api-host", "api.example", null, null, null, null, null, 0b10000),
            new ContentRule("beta", null, null, null, "X-Beta", Pattern.compile("^on$"), null, 0b10000),
            new ContentRule("uploads", null, null, null, null, null, Method.PUT, 0b00001));

    @Test
    void theFirstMatchingRuleGivesTheSetAndTheLeastLoadedMemberServes() {
        ContentBased c = new ContentBased(s, rules, 0b10000);
        load(s, 0, 5);
        assertThat(c.pick(get("/cgi-bin/search?q=1")).name()).isEqualTo("rs2");
        assertThat(c.pick(get("/img/logo.png")).name()).isEqualTo("rs3");
        load(s, 2, 3);
        assertThat(c.pick(get("/img/logo.png")).name()).isEqualTo("rs4");
        assertThat(c.pick(request("GET /v1/x HTTP/1.1\r\nHost: API.example:443\r\n\r\n")).name()).isEqualTo("rs5");
        assertThat(c.pick(request("GET /x HTTP/1.1\r\nHost: a\r\nX-Beta: on\r\n\r\n")).name()).isEqualTo("rs5");
        assertThat(c.pick(request("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n")).name()).isEqualTo("rs1");
        assertThat(c.pick(get("/index.html")).name()).as("default set").isEqualTo("rs5");
    }

    @Test
    void aRuleWhoseServersAreAllDownAnswersNone() {
        ContentBased c = new ContentBased(s, rules, 0);
        s.get(0).weight(0);
        s.get(1).weight(0);
        assertThat(c.pick(get("/cgi-bin/x"))).isNull();
        assertThat(c.pick(get("/other")).name()).isEqualTo("rs3");
    }

    @Test
    void theImprovedFormKeepsLocalityInsideTheRulesSet() {
        ContentLblcr c = new ContentLblcr(s, rules, 0b10000, 1024, Lblcr.DEFAULT_K_NANOS, L7Schedulers.DEFAULT_EXPIRE_NANOS,
                new ManualClock());
        assertThat(c.pick(get("/img/a.png")).name()).isEqualTo("rs3");
        load(s, 2, 20);
        assertThat(c.pick(get("/img/a.png")).name()).as("locality: the target stays").isEqualTo("rs3");
        assertThat(c.pick(get("/img/b.png")).name()).isEqualTo("rs4");
        load(s, 2, 130);
        load(s, 0, 0);
        assertThat(c.pick(get("/img/a.png")).name()).as("imbalance: grows within the images set only").isEqualTo("rs4");
        assertThat(c.membersOf(get("/img/a.png").head.targetHash())).isEqualTo(0b01100);
    }

    @Test
    void rulesAreChecked() {
        assertThatThrownBy(() -> new ContentRule("x", null, null, null, null, null, null, 1)).hasMessageContaining("no condition");
        assertThatThrownBy(() -> new ContentRule("x", null, "/", null, null, null, null, 0)).hasMessageContaining("no server");
        assertThatThrownBy(() -> new ContentRule("x", null, null, null, "X-A", null, null, 1)).hasMessageContaining("header");
        assertThatThrownBy(() -> L7Schedulers.create("lblc", s, new L7Schedulers.Options(rules, 0, null, 16, 1, 1), new ManualClock()))
                .hasMessageContaining("does not use content rules");
        assertThatThrownBy(() -> L7Schedulers.create("nope", s, L7Schedulers.Options.DEFAULT, new ManualClock()))
                .hasMessageContaining("unknown layer-7 scheduler 'nope'");
    }
}
