package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.proxy.http.sched.Requests.get;
import static org.jvs.proxy.http.sched.Requests.load;
import static org.jvs.proxy.http.sched.Requests.request;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rr, wrr, lc, wlc and sh applied per request. */
class PerRequestSchedulersTest {

    final ServerSet s = new ServerSet(List.of(new L7Server(0, "rs1", 1), new L7Server(1, "rs2", 2), new L7Server(2, "rs3", 3)));

    @Test
    void roundRobinSkipsUnusableServers() {
        RoundRobin rr = new RoundRobin(s);
        s.get(1).weight(0);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(rr.pick(get("/")).name());
        }
        assertThat(seen).containsExactly("rs1", "rs3", "rs3", "rs1");
    }

    @Test
    void weightedRoundRobinIsSmoothAndProportional() {
        WeightedRoundRobin wrr = new WeightedRoundRobin(s);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(wrr.pick(get("/")).name());
        }
        assertThat(seen).containsExactly("rs3", "rs2", "rs1", "rs3", "rs2", "rs3");
    }

    @Test
    void leastConnectionWithAndWithoutWeights() {
        load(s, 0, 2);
        load(s, 1, 3);
        load(s, 2, 5);
        assertThat(new LeastConnection(s).pick(get("/")).name()).isEqualTo("rs1");
        assertThat(new WeightedLeastConnection(s).pick(get("/")).name()).as("3/2 < 5/3 < 2/1").isEqualTo("rs2");
    }

    @Test
    void stickyHashOnACookieKeepsItsServerAndSpreadsKeys() {
        StickyHash sh = new StickyHash(s, new StickyHash.Cookie("session"));
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            String raw = "GET / HTTP/1.1\r\nHost: a\r\nCookie: theme=dark; session=u" + i + "\r\n\r\n";
            String first = sh.pick(request(raw)).name();
            assertThat(sh.pick(request(raw)).name()).isEqualTo(first);
            spread.merge(first, 1, Integer::sum);
        }
        assertThat(spread.get("rs1")).isBetween(60, 140);
        assertThat(spread.get("rs3")).isBetween(240, 360);
        String raw = "GET / HTTP/1.1\r\nHost: a\r\nCookie: session=abc\r\n\r\n";
        String before = sh.pick(request(raw)).name();
        s.get(before.equals("rs1") ? 1 : 0).weight(0);
        assertThat(sh.pick(request(raw)).name()).as("another server leaving does not move the key").isEqualTo(before);
    }

    @Test
    void stickyHashOnAHeaderFallsBackToTheSource() {
        StickyHash sh = new StickyHash(s, new StickyHash.Header("X-User"));
        L7Request with = request("GET / HTTP/1.1\r\nHost: a\r\nX-User: 42\r\n\r\n");
        L7Request without = request("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(sh.pick(with)).isNotNull();
        assertThat(sh.pick(without)).isEqualTo(sh.pick(request("GET /other HTTP/1.1\r\nHost: b\r\n\r\n")));
    }
}
