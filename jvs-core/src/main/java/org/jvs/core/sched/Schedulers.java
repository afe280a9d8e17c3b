package org.jvs.core.sched;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jvs.core.model.ConfigException;

/** The registry of schedulers by ipvsadm name: the one place a name becomes an algorithm. */
public final class Schedulers {
    private static final Map<String, Function<SchedulerContext, Scheduler>> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put("rr", c -> new RoundRobinScheduler());
        FACTORIES.put("wrr", c -> new WeightedRoundRobinScheduler());
        FACTORIES.put("lc", c -> new LeastConnectionScheduler());
        FACTORIES.put("wlc", c -> new WeightedLeastConnectionScheduler());
        FACTORIES.put("sed", c -> new ShortestExpectedDelayScheduler());
        FACTORIES.put("nq", c -> new NeverQueueScheduler());
        FACTORIES.put("fo", c -> new WeightedFailoverScheduler());
        FACTORIES.put("ovf", c -> new OverflowScheduler());
        FACTORIES.put("twos", c -> new TwoChoiceScheduler());
        FACTORIES.put("dh", DestinationHashScheduler::new);
        FACTORIES.put("sh", SourceHashScheduler::new);
        FACTORIES.put("mh", MaglevHashScheduler::new);
        FACTORIES.put("lblc", LocalityLeastConnectionScheduler::new);
        FACTORIES.put("lblcr", LocalityLeastConnectionReplicationScheduler::new);
        FACTORIES.put("gs", GlobalServerScheduler::new);
    }

    private Schedulers() {
    }

    /** Creates a fresh scheduler instance; throws a {@link ConfigException} naming the known ones. */
    public static Scheduler create(String name, SchedulerContext context) {
        Function<SchedulerContext, Scheduler> f = FACTORIES.get(name);
        if (f == null) {
            throw new ConfigException("unknown scheduler '" + name + "' (known: " + String.join(", ", FACTORIES.keySet()) + ")");
        }
        return f.apply(context);
    }

    public static boolean exists(String name) {
        return FACTORIES.containsKey(name);
    }

    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(FACTORIES.keySet());
    }
}
