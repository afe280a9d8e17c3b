package org.jvs.core;

import java.util.ArrayList;
import java.util.List;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.Protocol;
import org.jvs.core.sched.Schedulers;
import org.jvs.core.sched.SchedulerContext;
import org.jvs.core.time.Clock;

/** Test-only access to the control-plane side of {@link Dest}: build pools and set their state directly. */
public final class DestFixtures {
    private DestFixtures() {
    }

    /** A service stand-in for dests built outside a balancer. */
    public static Service service(String scheduler) {
        ServiceSpec spec = ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80), scheduler);
        return new Service(0, spec, Schedulers.create(scheduler, new SchedulerContext(spec, Clock.SYSTEM)));
    }

    /** Dests 10.0.0.1:80, 10.0.0.2:80, ... with the given weights, in that order. */
    public static Dest[] pool(int... weights) {
        List<Dest> ds = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            ds.add(dest(i, weights[i]));
        }
        return ds.toArray(new Dest[0]);
    }

    public static Dest dest(int index, int weight) {
        IpAddr a = IpAddr.v4(0x0A00_0001 + index);
        return new Dest(index, null, DestSpec.of(a, 80, ForwardingMethod.NAT).withWeight(weight));
    }

    /** Changes weight and thresholds as an edit would (the caller then calls the scheduler's update). */
    public static void edit(Dest d, DestSpec spec) {
        d.apply(spec);
    }

    public static void weight(Dest d, int w) {
        d.apply(d.spec().withWeight(w));
    }

    /** Sets the connection counts to exactly these numbers (overload is re-evaluated as binding would). */
    public static void conns(Dest d, int active, int inactive) {
        while (d.activeConns() > 0) {
            d.connUnbound(true);
        }
        while (d.inactiveConns() > 0) {
            d.connUnbound(false);
        }
        for (int i = 0; i < active; i++) {
            d.connBound(true);
        }
        for (int i = 0; i < inactive; i++) {
            d.connBound(false);
        }
    }

    public static void retire(Dest d) {
        d.retire();
    }
}
