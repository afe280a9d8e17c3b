package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.proxy.http.sched.Requests.get;
import static org.jvs.proxy.http.sched.Requests.load;

import java.time.Duration;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

/** LBLCR (thesis 6.3.5, with replication): sets grow under imbalance and shrink after K unchanged. */
class LblcrTest {

    final ServerSet s = Requests.servers(3);
    final ManualClock clock = new ManualClock();
    final Lblcr lblcr = new Lblcr(s, 1024, Lblcr.DEFAULT_K_NANOS, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);
    final long key = get("/hot.html").head.targetHash();

    @Test
    void aBusyTargetGainsAServerAndUsesTheLeastLoadedMember() {
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs1");
        load(s, 0, 61);
        load(s, 1, 10);
        load(s, 2, 20);
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs2");
        assertThat(lblcr.membersOf(key)).isEqualTo(0b011);
        load(s, 0, 50);
        load(s, 1, 70);
        assertThat(lblcr.pick(get("/hot.html")).name()).as("least loaded member, rs1 50 < rs2 70").isEqualTo("rs1");
        load(s, 0, 125);
        assertThat(lblcr.pick(get("/hot.html")).name()).as("rs2 above high, rs3 below low: rs3 joins").isEqualTo("rs3");
        assertThat(lblcr.membersOf(key)).isEqualTo(0b111);
    }

    @Test
    void afterKUnchangedTheBusiestMemberLeaves() {
        lblcr.pick(get("/hot.html"));
        load(s, 0, 61);
        load(s, 2, 50);
        lblcr.pick(get("/hot.html"));
        assertThat(lblcr.membersOf(key)).isEqualTo(0b011);
        load(s, 0, 40);
        load(s, 1, 20);
        clock.advance(Duration.ofSeconds(59));
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs2");
        assertThat(lblcr.membersOf(key)).as("not yet: 59 s").isEqualTo(0b011);
        clock.advance(Duration.ofSeconds(2));
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs2");
        assertThat(lblcr.membersOf(key)).as("61 s unchanged: the busiest (rs1) is dropped").isEqualTo(0b010);
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs2");
    }

    @Test
    void aSetOfOneNeverShrinks() {
        lblcr.pick(get("/hot.html"));
        clock.advance(Duration.ofSeconds(600));
        lblcr.pick(get("/hot.html"));
        assertThat(lblcr.membersOf(key)).isEqualTo(0b001);
    }

    @Test
    void anUnusableMemberIsReplaced() {
        lblcr.pick(get("/hot.html"));
        s.get(0).weight(0);
        assertThat(lblcr.pick(get("/hot.html")).name()).isEqualTo("rs2");
    }
}
