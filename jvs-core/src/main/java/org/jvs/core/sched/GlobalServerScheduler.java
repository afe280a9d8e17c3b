package org.jvs.core.sched;

import java.util.ArrayList;
import java.util.List;
import org.jvs.core.Dest;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProximityRule;

/**
 * gs, global server scheduling (thesis 4.1.5): for geographically spread servers, usually reached by IP
 * tunnel. The proximity table maps client prefixes to the servers near them, in preference order; a flow
 * goes to the least loaded (weighted least connection) usable server of the rule with the longest prefix
 * matching its source address, ties to the earlier server in the rule. With no matching rule, or none of
 * its servers usable, any server will do: weighted least connection over the whole service.
 *
 * <p>The rule to server arrays are rebuilt in {@link #update}; a lookup only reads published arrays.
 */
public final class GlobalServerScheduler implements Scheduler {

    /** All servers, and per rule its servers present in the service, in the rule's order. */
    private record Candidates(Dest[] all, Dest[][] byRule) {
    }

    private final List<ProximityRule> rules;
    private final PrefixTable prefixes;
    private volatile Candidates candidates;

    public GlobalServerScheduler(SchedulerContext context) {
        this.rules = context.service().proximity();
        this.prefixes = new PrefixTable(rules);
        this.candidates = build(new Dest[0]);
    }

    @Override
    public String name() {
        return "gs";
    }

    @Override
    public void update(Dest[] dests) {
        candidates = build(dests);
    }

    private Candidates build(Dest[] dests) {
        Dest[][] byRule = new Dest[rules.size()][];
        for (int r = 0; r < byRule.length; r++) {
            List<Dest> list = new ArrayList<>();
            for (IpAddr server : rules.get(r).servers()) {
                // Several ports of one address are all that address' servers, in list order.
                for (Dest d : dests) {
                    if (d.address().equals(server) && !list.contains(d)) {
                        list.add(d);
                    }
                }
            }
            byRule[r] = list.toArray(new Dest[0]);
        }
        return new Candidates(dests, byRule);
    }

    @Override
    public Dest schedule(Flow flow) {
        Candidates c = candidates;
        int r = prefixes.match(flow.v6, flow.srcHi, flow.srcLo);
        if (r >= 0) {
            Dest[] near = c.byRule()[r];
            int i = LeastLoad.leastLoaded(near);
            if (i >= 0) {
                return near[i];
            }
        }
        int i = LeastLoad.leastLoaded(c.all());
        return i < 0 ? null : c.all()[i];
    }
}
