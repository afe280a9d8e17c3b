package org.jvs.proxy.http.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.proxy.http.sched.Requests.get;
import static org.jvs.proxy.http.sched.Requests.load;

import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

/** What lblc and lblcr tell {@code jvsadm -L --l7}: hit, new, moved and shrunk counts, and the target map. */
class LocalityMapTest {

    final ServerSet s = Requests.servers(3);
    final ManualClock clock = new ManualClock();

    @Test
    void lblcCountsHitsNewTargetsAndMovesAndListsTheBusiestTargets() {
        Lblc lblc = new Lblc(s, 1024, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);
        for (int i = 0; i < 5; i++) {
            lblc.pick(get("/hot.html"));
        }
        lblc.pick(get("/cold.html?q=1"));
        clock.advance(java.time.Duration.ofSeconds(3));
        load(s, 0, 61);
        load(s, 2, 29);
        load(s, 1, 40);
        assertThat(lblc.pick(get("/hot.html")).name()).isEqualTo("rs3");
        assertThat(lblc.counts()).isEqualTo(new Locality.Counts(4, 2, 1, 0));
        assertThat(lblc.counts().hitRatio()).isEqualTo(4.0 / 7);
        assertThat(lblc.targets()).isEqualTo(2);
        var top = lblc.busiest(10);
        assertThat(top).extracting(Locality.Target::path).containsExactly("/hot.html", "/cold.html");
        assertThat(top).extracting(Locality.Target::requests).containsExactly(6L, 1L);
        assertThat(top.getFirst().servers()).as("moved to rs3").isEqualTo(1L << 2);
        assertThat(top.getFirst().sameNanos()).as("changed just now").isZero();
        assertThat(top.get(1).idleNanos()).isEqualTo(3_000_000_000L);
        assertThat(lblc.busiest(1)).hasSize(1);
        assertThat(lblc.busiest(0)).isEmpty();
    }

    @Test
    void aLongPathIsListedCutShortAndAnEmptyOneAsSlash() {
        Lblc lblc = new Lblc(s, 1024, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);
        String longPath = "/" + "x".repeat(100);
        lblc.pick(get(longPath));
        lblc.pick(get("/" + "x".repeat(TargetTable.NAME_BYTES - 1)));
        assertThat(lblc.busiest(5)).extracting(Locality.Target::path)
                .containsExactlyInAnyOrder(longPath.substring(0, TargetTable.NAME_BYTES) + "...", "/" + "x".repeat(TargetTable.NAME_BYTES - 1));
    }

    @Test
    void lblcrCountsAServerJoiningAsAMoveAndK_expiryAsAShrink() {
        Lblcr lblcr = new Lblcr(s, 1024, Lblcr.DEFAULT_K_NANOS, L7Schedulers.DEFAULT_EXPIRE_NANOS, clock);
        lblcr.pick(get("/t"));                 // new: rs1
        lblcr.pick(get("/t"));                 // hit
        load(s, 0, 61);
        load(s, 1, 29);
        load(s, 2, 40);
        assertThat(lblcr.pick(get("/t")).name()).isEqualTo("rs2"); // rs2 joins: a move
        assertThat(lblcr.busiest(1).getFirst().servers()).isEqualTo(0b011L);
        load(s, 0, 0);
        clock.advance(java.time.Duration.ofSeconds(61));
        lblcr.pick(get("/t"));                 // rs1 serves (a hit); the set unchanged for K: rs2 leaves
        assertThat(lblcr.counts()).isEqualTo(new Locality.Counts(2, 1, 1, 1));
        assertThat(lblcr.busiest(1).getFirst().servers()).isEqualTo(0b001L);
    }
}
