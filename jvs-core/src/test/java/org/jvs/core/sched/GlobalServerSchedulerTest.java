package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.active;
import static org.jvs.core.sched.SchedTesting.dest;

import java.util.List;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ProximityRule;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.Clock;
import org.junit.jupiter.api.Test;

class GlobalServerSchedulerTest {

    private static ProximityRule rule(String prefix, int length, String... servers) {
        return new ProximityRule(IpAddr.parse(prefix), length,
                java.util.Arrays.stream(servers).map(IpAddr::parse).toList());
    }

    private static GlobalServerScheduler gs(Dest[] ds, ProximityRule... rules) {
        GlobalServerScheduler s = new GlobalServerScheduler(SchedTesting.gsContext(List.of(rules)));
        s.update(ds);
        return s;
    }

    private static Flow from(String client) {
        return new Flow().set(6, IpAddr.parse(client), 40000, IpAddr.v4(SchedTesting.VIP), 80);
    }

    /** Servers 10.0.0.1 .. 10.0.0.5, weight 1. */
    private final Dest[] ds = DestFixtures.pool(1, 1, 1, 1, 1);

    @Test
    void longestMatchingPrefixChoosesTheRule() {
        GlobalServerScheduler s = gs(ds,
                rule("10.1.0.0", 16, "10.0.0.2"),
                rule("10.1.2.0", 24, "10.0.0.4"),
                rule("10.0.0.0", 8, "10.0.0.3"),
                rule("10.1.2.128", 25, "10.0.0.5"));
        assertThat(s.schedule(from("10.1.2.5"))).isSameAs(ds[3]);
        assertThat(s.schedule(from("10.1.2.200"))).isSameAs(ds[4]);
        assertThat(s.schedule(from("10.1.3.5"))).isSameAs(ds[1]);
        assertThat(s.schedule(from("10.9.9.9"))).isSameAs(ds[2]);
    }

    @Test
    void leastLoadedOfTheRulesServersTiesToTheRulesOrder() {
        GlobalServerScheduler s = gs(ds, rule("192.168.0.0", 16, "10.0.0.4", "10.0.0.2", "10.0.0.3"));
        assertThat(s.schedule(from("192.168.7.7"))).isSameAs(ds[3]);
        active(ds[3], 2);
        active(ds[1], 1);
        active(ds[2], 1);
        assertThat(s.schedule(from("192.168.7.7"))).isSameAs(ds[1]);
        DestFixtures.weight(ds[2], 4); // 1/4 beats 1/1
        assertThat(s.schedule(from("192.168.7.7"))).isSameAs(ds[2]);
        // ds[0] is idle but not near these clients.
        assertThat(ds[0].activeConns()).isZero();
    }

    @Test
    void fallsBackToWlcOverAllServersWhenNoRuleMatchesOrNoNearServerIsUsable() {
        GlobalServerScheduler s = gs(ds, rule("192.168.0.0", 16, "10.0.0.4", "10.0.0.5", "10.9.9.9"));
        active(ds[0], 3);
        active(ds[1], 1);
        active(ds[3], 1);
        active(ds[4], 1);
        assertThat(s.schedule(from("172.16.0.1"))).isSameAs(ds[2]);
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[3]);
        DestFixtures.weight(ds[3], 0);
        SchedTesting.overload(ds[4]);
        s.update(ds);
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[2]);
        active(ds[2], 5);
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[1]);
    }

    @Test
    void followsServersAddedAndRemovedAtRunTime() {
        GlobalServerScheduler s = gs(new Dest[] {ds[0], ds[1]}, rule("192.168.0.0", 16, "10.0.0.3"));
        active(ds[0], 1);
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[1]);
        s.update(new Dest[] {ds[0], ds[1], ds[2]});
        active(ds[2], 3);
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[2]);
        s.update(new Dest[] {ds[0]});
        assertThat(s.schedule(from("192.168.0.1"))).isSameAs(ds[0]);
        s.update(new Dest[0]);
        assertThat(s.schedule(from("192.168.0.1"))).isNull();
    }

    @Test
    void matchesIpv6Prefixes() {
        Dest a = dest(0, "2001:db8:a::1", 1);
        Dest b = dest(1, "2001:db8:b::1", 1);
        Dest c = dest(2, "2001:db8:c::1", 1);
        Dest[] v6 = {a, b, c};
        List<ProximityRule> rules = List.of(
                rule("2001:db8::", 32, "2001:db8:a::1"),
                rule("2001:db8:1::", 48, "2001:db8:b::1"),
                rule("2001:db8:1:2:3::", 80, "2001:db8:c::1"));
        ServiceSpec spec = ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("2001:db8::100"), 80), "gs")
                .withProximity(rules);
        GlobalServerScheduler s = new GlobalServerScheduler(new SchedulerContext(spec, Clock.SYSTEM));
        s.update(v6);
        active(a, 1);
        active(b, 1);
        assertThat(s.schedule(v6Flow("2001:db8:1:2:3:4::9"))).isSameAs(c);
        assertThat(s.schedule(v6Flow("2001:db8:1:2:4::9"))).isSameAs(b);
        assertThat(s.schedule(v6Flow("2001:db8:7::9"))).isSameAs(a);
        assertThat(s.schedule(v6Flow("2001:db9::9"))).isSameAs(c);
        assertThat(s.name()).isEqualTo("gs");
    }

    private static Flow v6Flow(String client) {
        return new Flow().set(6, IpAddr.parse(client), 40000, IpAddr.parse("2001:db8::100"), 80);
    }
}
