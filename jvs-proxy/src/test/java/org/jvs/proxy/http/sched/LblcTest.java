package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.proxy.http.sched.Requests.get;
import static org.jvs.proxy.http.sched.Requests.load;

import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

/** LBLC as the thesis' 6.3.5 walks it, with its default thresholds low 30, high 60. */
class LblcTest {

    final ServerSet s = Requests.servers(3);
    final ManualClock clock = new ManualClock();
    final Lblc lblc = new Lblc(s, 1024, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);

    @Test
    void aNewTargetGoesToTheLeastConnectionNodeAndStaysThere() {
        load(s, 0, 10);
        load(s, 1, 5);
        load(s, 2, 7);
        assertThat(lblc.pick(get("/a.html")).name()).isEqualTo("rs2");
        // rs2 is now the busiest; the target keeps it anyway (no serious imbalance)
        load(s, 1, 50);
        assertThat(lblc.pick(get("/a.html")).name()).isEqualTo("rs2");
        assertThat(lblc.pick(get("/a.html?x=1")).name()).as("a dynamic request's target is its path").isEqualTo("rs2");
        assertThat(lblc.hits()).isEqualTo(2);
        assertThat(lblc.misses()).isEqualTo(1);
    }

    @Test
    void aboveHighWithANodeBelowLowMovesTheTarget() {
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        load(s, 0, 61);
        load(s, 1, 40);
        load(s, 2, 29);
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs3");
        assertThat(lblc.reassignments()).isEqualTo(1);
        assertThat(lblc.pick(get("/t")).name()).as("and it stays on its new server").isEqualTo("rs3");
    }

    @Test
    void aboveHighWithNoNodeBelowLowKeepsTheTarget() {
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        load(s, 0, 119);
        load(s, 1, 30);
        load(s, 2, 30);
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        load(s, 0, 60);
        load(s, 2, 0);
        assertThat(lblc.pick(get("/t")).name()).as("at high (not above) it stays").isEqualTo("rs1");
    }

    @Test
    void twiceHighMovesTheTargetEvenWithNoNodeBelowLow() {
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        load(s, 0, 120);
        load(s, 1, 50);
        load(s, 2, 45);
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs3");
    }

    @Test
    void anUnusableServerLosesItsTargets() {
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        s.get(0).weight(0);
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs2");
        s.get(1).weight(0);
        s.get(2).weight(0);
        assertThat(lblc.pick(get("/t"))).isNull();
    }

    @Test
    void dynamicRequestsCountTwo() {
        assertThat(get("/cgi-bin/q?x=1").units()).isEqualTo(2);
        assertThat(get("/index.html").units()).isEqualTo(1);
        assertThat(Requests.request("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n").units()).isEqualTo(2);
    }

    @Test
    void idleTargetsExpire() {
        assertThat(lblc.pick(get("/t")).name()).isEqualTo("rs1");
        load(s, 0, 5);
        clock.advanceSeconds(25 * 3600);
        lblc.housekeeping();
        assertThat(lblc.pick(get("/t")).name()).as("forgotten: least connection again").isEqualTo("rs2");
    }

    @Test
    void theAdmissionLimitIsTheSumOfHighThresholds() {
        assertThat(s.admissionLimit()).isEqualTo(180);
        s.get(2).weight(0);
        assertThat(s.admissionLimit()).isEqualTo(120);
    }
}
