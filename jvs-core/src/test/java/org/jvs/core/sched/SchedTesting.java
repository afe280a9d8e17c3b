package org.jvs.core.sched;

import java.util.List;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ProximityRule;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.Clock;

/** Contexts, servers and flows for the scheduler tests of this package. */
final class SchedTesting {
    static final int VIP = 0x0A00_0064;

    private SchedTesting() {
    }

    static ServiceSpec spec(String scheduler) {
        return ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP), 80), scheduler);
    }

    static SchedulerContext context(String scheduler, SchedFlag... flags) {
        return new SchedulerContext(spec(scheduler).withFlags(Set.of(flags)), Clock.SYSTEM);
    }

    static SchedulerContext mhContext(int tableSize, SchedFlag... flags) {
        return new SchedulerContext(spec("mh").withFlags(Set.of(flags)).withMhTableSize(tableSize), Clock.SYSTEM);
    }

    static SchedulerContext gsContext(List<ProximityRule> rules) {
        return new SchedulerContext(spec("gs").withProximity(rules), Clock.SYSTEM);
    }

    /** A flow from {@code src:srcPort} to the VIP. */
    static Flow fromSource(int src, int srcPort) {
        return new Flow().setV4(6, src, srcPort, VIP, 80);
    }

    /** A flow from one client to destination {@code dst} (the locality schedulers key on it). */
    static Flow toDestination(int dst) {
        return new Flow().setV4(6, 0x0101_0101, 40000, dst, 80);
    }

    static Dest dest(int id, String address, int weight) {
        return new Dest(id, null, DestSpec.of(IpAddr.parse(address), 80, ForwardingMethod.IPIP).withWeight(weight));
    }

    /** Makes the server overloaded by its thresholds (upper 1, one inactive connection). */
    static void overload(Dest d) {
        DestFixtures.edit(d, d.spec().withThresholds(1, 0));
        DestFixtures.conns(d, d.activeConns(), d.inactiveConns() + 1);
    }

    static void active(Dest d, int active) {
        DestFixtures.conns(d, active, d.inactiveConns());
    }
}
