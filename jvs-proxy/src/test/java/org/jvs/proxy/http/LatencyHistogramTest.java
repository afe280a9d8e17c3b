package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void samplesFallInTheBucketOfTheirUpperBoundAndQuantilesAreThoseBounds() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(40_000);          // 40 µs: ≤ 50
        h.record(50_000);          // exactly 50 µs: ≤ 50
        h.record(50_001);          // ≤ 100
        for (int i = 0; i < 96; i++) {
            h.record(900_000);     // ≤ 1 ms
        }
        h.record(60_000_000_000L); // a minute: overflow
        long[] c = h.counts();
        assertThat(c).hasSize(LatencyHistogram.BOUNDS_US.length + 1);
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[1]).isEqualTo(1);
        assertThat(c[4]).isEqualTo(96);
        assertThat(c[c.length - 1]).isEqualTo(1);
        assertThat(LatencyHistogram.quantileUs(c, 0.5)).isEqualTo(1_000);
        assertThat(LatencyHistogram.quantileUs(c, 0.02)).isEqualTo(50);
        assertThat(LatencyHistogram.quantileUs(c, 0.99)).isEqualTo(1_000);
        assertThat(LatencyHistogram.quantileUs(c, 1.0)).isEqualTo(Long.MAX_VALUE);
        assertThat(LatencyHistogram.quantileUs(new long[c.length], 0.5)).isEqualTo(-1);
        assertThat(h.sumNanos()).isEqualTo(40_000 + 50_000 + 50_001 + 96 * 900_000L + 60_000_000_000L);
    }
}
