package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.stream.Stream;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules every registered scheduler must honour, run against each name in {@link Schedulers#names()},
 * so a scheduler registered later is checked without touching this class. The pools are built so that a
 * scheduler ignoring a rule would pick the forbidden server: the quiesced or overloaded servers are the
 * idle ones, or the heaviest. Usable servers carry their load mostly as inactive connections and no more
 * active ones than their weight, so that ovf (which refuses a server with more active connections than
 * weight) still has somewhere to send flows.
 */
class SchedulerContractTest {
    /** Schedulers whose choice is random by design: preview can only show one possible answer. */
    private static final Set<String> RANDOMIZED = Set.of("twos");
    private static final int FLOWS = 2_000;

    private final Flow[] flows = flows(1, FLOWS);
    /** Flows never seen before a change, for schedulers that remember where earlier flows went. */
    private final Flow[] freshFlows = flows(2, FLOWS);

    static Stream<String> names() {
        return Schedulers.names().stream();
    }

    /** Every scheduler whose choice can be foretold (all but the random ones). */
    static Stream<String> deterministicNames() {
        return names().filter(n -> !RANDOMIZED.contains(n));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void answersToItsRegisteredName(String name) {
        assertThat(create(name).name()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void neverChoosesAQuiescedServer(String name) {
        Dest[] ds = DestFixtures.pool(0, 1, 2, 0, 3);
        for (int i : new int[] {1, 2, 4}) {
            DestFixtures.conns(ds[i], 1, 5);
        }
        Scheduler s = scheduler(name, ds);
        assertThat(picks(s, flows)).doesNotContain(ds[0], ds[3]).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void neverChoosesAnOverloadedServer(String name) {
        Dest[] ds = DestFixtures.pool(5, 1, 1, 5);
        DestFixtures.edit(ds[0], ds[0].spec().withThresholds(2, 0));
        DestFixtures.edit(ds[3], ds[3].spec().withThresholds(2, 0));
        DestFixtures.conns(ds[1], 1, 3);
        DestFixtures.conns(ds[2], 1, 3);
        Scheduler s = scheduler(name, ds);
        picks(s, flows);
        // Overload comes from connection accounting on the data plane, with no update() call.
        DestFixtures.conns(ds[0], 0, 2);
        DestFixtures.conns(ds[3], 0, 2);
        assertThat(ds[0].isOverloaded()).isTrue();
        assertThat(ds[3].isOverloaded()).isTrue();
        assertThat(picks(s, flows)).doesNotContain(ds[0], ds[3]).isNotEmpty();
        assertThat(picks(s, freshFlows)).doesNotContain(ds[0], ds[3]).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void noServerForAFreshOrEmptyPool(String name) {
        Scheduler s = create(name);
        assertThat(onlyNulls(s)).as("before the first update").isTrue();
        s.update(new Dest[0]);
        assertThat(onlyNulls(s)).as("empty pool").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void noServerWhenAllAreQuiesced(String name) {
        Scheduler s = scheduler(name, DestFixtures.pool(0, 0, 0));
        assertThat(onlyNulls(s)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void noServerWhenAllAreOverloaded(String name) {
        Dest[] ds = DestFixtures.pool(1, 2, 3);
        for (Dest d : ds) {
            DestFixtures.edit(d, d.spec().withThresholds(1, 0));
        }
        Scheduler s = scheduler(name, ds);
        for (Dest d : ds) {
            DestFixtures.conns(d, 1, 0);
        }
        assertThat(onlyNulls(s)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void aRemovedServerIsNeverChosen(String name) {
        Dest[] ds = DestFixtures.pool(1, 4, 1, 1);
        DestFixtures.conns(ds[0], 1, 2);
        DestFixtures.conns(ds[2], 1, 2);
        DestFixtures.conns(ds[3], 1, 2);
        Scheduler s = scheduler(name, ds);
        assertThat(picks(s, flows)).as("precondition: the server to remove is in use").contains(ds[1]);
        // As the balancer removes a server: it leaves the service, then the scheduler gets the new list.
        DestFixtures.retire(ds[1]);
        s.update(new Dest[] {ds[0], ds[2], ds[3]});
        assertThat(picks(s, flows)).doesNotContain(ds[1]).isNotEmpty();
        assertThat(picks(s, freshFlows)).doesNotContain(ds[1]).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void anAddedServerBecomesChoosable(String name) {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        for (Dest d : ds) {
            DestFixtures.conns(d, 1, 1);
        }
        Scheduler s = scheduler(name, ds);
        picks(s, flows);
        Dest added = DestFixtures.dest(3, 10);
        s.update(new Dest[] {ds[0], ds[1], ds[2], added});
        Set<Dest> chosen = picks(s, freshFlows);
        chosen.addAll(picks(s, flows));
        assertThat(chosen).contains(added);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void aServerEditedToWeightZeroIsNoLongerChosen(String name) {
        Dest[] ds = DestFixtures.pool(1, 3, 1);
        DestFixtures.conns(ds[0], 1, 1);
        DestFixtures.conns(ds[2], 1, 1);
        Scheduler s = scheduler(name, ds);
        assertThat(picks(s, flows)).as("precondition: the server to quiesce is in use").contains(ds[1]);
        DestFixtures.weight(ds[1], 0);
        s.update(ds);
        assertThat(picks(s, flows)).doesNotContain(ds[1]).isNotEmpty();
        assertThat(picks(s, freshFlows)).doesNotContain(ds[1]).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deterministicNames")
    void previewTellsWhatTheNextScheduleDoes(String name) {
        Dest[] ds = DestFixtures.pool(3, 1, 2, 1, 0);
        DestFixtures.conns(ds[0], 4, 10);
        DestFixtures.conns(ds[1], 1, 3);
        DestFixtures.conns(ds[2], 2, 0);
        Scheduler s = scheduler(name, ds);
        for (Flow f : flows) {
            Dest previewed = s.preview(f);
            assertThat(s.preview(f)).as("preview moves nothing").isSameAs(previewed);
            assertThat(s.schedule(f)).as("%s", f).isSameAs(previewed);
        }
    }

    private static Scheduler create(String name) {
        ServiceSpec spec = ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80), name);
        return Schedulers.create(name, new SchedulerContext(spec, new ManualClock()));
    }

    private static Scheduler scheduler(String name, Dest[] ds) {
        Scheduler s = create(name);
        s.update(ds);
        return s;
    }

    /** The servers chosen over these flows (nulls left out). */
    private static Set<Dest> picks(Scheduler s, Flow[] flows) {
        Set<Dest> chosen = new java.util.HashSet<>();
        for (Flow f : flows) {
            Dest d = s.schedule(f);
            if (d != null) {
                chosen.add(d);
            }
        }
        return chosen;
    }

    private boolean onlyNulls(Scheduler s) {
        return Arrays.stream(flows).allMatch(f -> s.preview(f) == null && s.schedule(f) == null);
    }

    /** TCP flows to port 80 from varied clients (address and port) to varied destinations in 10.0.0.0/16. */
    private static Flow[] flows(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        Flow[] fs = new Flow[count];
        for (int i = 0; i < count; i++) {
            fs[i] = new Flow().setV4(Protocol.TCP.number(), r.nextInt(), 1024 + r.nextInt(64_512),
                    0x0A00_0000 | r.nextInt(1 << 16), 80);
        }
        return fs;
    }
}
