package org.jvs.bench.flood;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacketEngineBenchTest {
    @Test
    void theBenchTableRatesEveryModeAgainstJvsDr() {
        var results = new java.util.LinkedHashMap<String, PacketEngineBench.Result>();
        results.put("kernel-forward", new PacketEngineBench.Result("kernel-forward", 400_000, 300_000, -1, 95, -1, ""));
        String noBase = PacketEngineBench.table(results);
        assertTrue(noBase.contains("n/a") && noBase.contains("(no jvs-dr figure"), noBase);
        results.put("jvs-dr", new PacketEngineBench.Result("jvs-dr", 400_000, 250_000, 250_000, 99, 80, ""));
        String t = PacketEngineBench.table(results);
        assertTrue(t.lines().anyMatch(l -> l.startsWith("kernel-forward") && l.endsWith("1.20")), t);
        assertTrue(t.lines().anyMatch(l -> l.startsWith("jvs-dr") && l.contains("250000") && l.endsWith("1.00")), t);
    }
}
