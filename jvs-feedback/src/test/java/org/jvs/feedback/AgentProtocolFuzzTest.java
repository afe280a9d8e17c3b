package org.jvs.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Bounded fuzzing of the agent protocol's reply parser, which reads what a real server's agent (or anything
 * listening on its port) answers: mutated valid replies end in a {@link Sample} or in a
 * {@link CollectorException} naming the server, never another exception, and an accepted sample is in range.
 */
class AgentProtocolFuzzTest {
    static final String REPLY = AgentProtocol.format(new Sample(0.42, 2, 37.5, 24_000_000, 12_000_000, 311, Double.NaN));

    @Property(tries = 5000)
    void mutatedRepliesEndInASampleOrAClearError(@ForAll @IntRange(min = 0, max = 8) int mutations, @ForAll long seed) {
        Random rnd = new Random(seed);
        List<String> lines = new ArrayList<>(REPLY.lines().toList());
        String junk = " \t-+.eE0123456789xX_\u00e9\u0000:=";
        for (int m = 0; m < mutations && !lines.isEmpty(); m++) {
            int i = rnd.nextInt(lines.size());
            String l = lines.get(i);
            switch (rnd.nextInt(5)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, l);
                case 2 -> lines.set(i, l.isEmpty() ? l : l.substring(0, rnd.nextInt(l.length())));
                case 3 -> {
                    int at = rnd.nextInt(l.length() + 1);
                    lines.set(i, l.substring(0, at) + junk.charAt(rnd.nextInt(junk.length())) + l.substring(at));
                }
                default -> lines.set(i, l.replaceAll("[0-9.]+$", switch (rnd.nextInt(6)) {
                    case 0 -> "-1";
                    case 1 -> "NaN";
                    case 2 -> "1e400";
                    case 3 -> "99999999999999999999";
                    case 4 -> "Infinity";
                    default -> "101";
                }));
            }
        }
        try {
            Sample s = AgentProtocol.parse(lines, "10.0.0.1:7000");
            assertThat(s.diskPercent()).satisfiesAnyOf(d -> assertThat(d).isNaN(), d -> assertThat(d).isBetween(0.0, 100.0));
            assertThat(s.load1()).satisfiesAnyOf(d -> assertThat(d).isNaN(), d -> assertThat(d).isFinite().isNotNegative());
            assertThat(s.cpus()).isGreaterThanOrEqualTo(-1); // -1: not reported
            assertThat(s.memAvailableKb()).isGreaterThanOrEqualTo(-1);
        } catch (CollectorException e) {
            assertThat(e.getMessage()).startsWith("10.0.0.1:7000: ");
        }
    }
}
