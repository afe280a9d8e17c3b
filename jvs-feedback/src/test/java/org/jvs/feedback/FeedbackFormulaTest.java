package org.jvs.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.jvs.core.model.ConfigException;
import org.junit.jupiter.api.Test;

/** The thesis' arithmetic (4.2.3–4.2.4) on its own numbers: R = {0.1,0.3,0.1,0.1,0.1,0.3}, A = 5, SCALE = 10, 0.95. */
class FeedbackFormulaTest {

    @Test
    void inputIsNewConnectionsOverTheMean() {
        // Three servers got 30, 60 and 90 new connections: the mean is 60.
        assertThat(FeedbackFormula.input(30, 180, 3)).isEqualTo(0.5);
        assertThat(FeedbackFormula.input(60, 180, 3)).isEqualTo(1.0);
        assertThat(FeedbackFormula.input(90, 180, 3)).isEqualTo(1.5);
        // Nobody got any: every server had exactly the mean share.
        assertThat(FeedbackFormula.input(0, 0, 3)).isEqualTo(1.0);
    }

    @Test
    void aggregateWithTheWebCoefficients() {
        double[] m = {1.5, 2.0, 0.5, 0.4, 1.0, 3.0};
        // 0.1·1.5 + 0.3·2.0 + 0.1·0.5 + 0.1·0.4 + 0.1·1.0 + 0.3·3.0 = 0.15+0.6+0.05+0.04+0.1+0.9 = 1.84
        assertThat(FeedbackFormula.aggregate(Coefficients.WEB, m)).isCloseTo(1.84, within(1e-12));
        double[] ones = {1, 1, 1, 1, 1, 1};
        assertThat(FeedbackFormula.aggregate(Coefficients.WEB, ones)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void missingMetricsShareTheirCoefficient() {
        // No disk figure: the other coefficients (sum 0.9) are scaled to 1.
        double[] m = {1.0, 2.0, Double.NaN, 1.0, 1.0, 1.0};
        assertThat(FeedbackFormula.aggregate(Coefficients.WEB, m)).isCloseTo((0.1 + 0.6 + 0.1 + 0.1 + 0.3) / 0.9, within(1e-12));
        double[] none = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        assertThat(FeedbackFormula.aggregate(Coefficients.WEB, none)).isNaN();
    }

    @Test
    void weightStepIsACubeRootOfTheDistanceToNinetyFivePercent() {
        // At 0.95 nothing moves.
        assertThat(FeedbackFormula.nextWeight(20, 0.95, 5, 10, 10)).isEqualTo(20);
        // 0.95 − 0.125·... : ∛(0.95 − 0.734) = ∛0.216 = 0.6, A·0.6 = 3.
        assertThat(FeedbackFormula.nextWeight(20, 0.734, 5, 10, 10)).isEqualTo(23);
        // Over the target the cube root is negative: ∛(0.95 − 1.95) = −1, A·(−1) = −5.
        assertThat(FeedbackFormula.nextWeight(20, 1.95, 5, 10, 10)).isEqualTo(15);
        // ∛(0.95 − 8.95) = −2: −10.
        assertThat(FeedbackFormula.nextWeight(20, 8.95, 5, 10, 10)).isEqualTo(10);
        // ∛(−0.008) = −0.2: −1.
        assertThat(FeedbackFormula.nextWeight(20, 0.958, 5, 10, 10)).isEqualTo(19);
        // An idle server: ∛0.95 = 0.983, A·0.983 = 4.92 → +5.
        assertThat(FeedbackFormula.nextWeight(20, 0.0, 5, 10, 10)).isEqualTo(25);
        assertThat(Math.cbrt(-8.0)).isEqualTo(-2.0);
    }

    @Test
    void weightStaysWithinZeroAndScaleTimesDefault() {
        assertThat(FeedbackFormula.nextWeight(98, 0.0, 5, 10, 10)).isEqualTo(100);
        assertThat(FeedbackFormula.nextWeight(100, 0.0, 5, 10, 10)).isEqualTo(100);
        assertThat(FeedbackFormula.nextWeight(3, 125.95, 5, 10, 10)).isZero(); // ∛(−125) = −5: −25
        assertThat(FeedbackFormula.nextWeight(0, 1.95, 5, 10, 10)).isZero();
        // IPVS' own limit wins over SCALE·default.
        assertThat(FeedbackFormula.nextWeight(65535, 0.0, 5, 10, 60000)).isEqualTo(65535);
    }

    @Test
    void writtenOnlyWhenTheChangeExceedsTheThreshold() {
        assertThat(FeedbackFormula.worthWriting(21, 20, 1)).isFalse();
        assertThat(FeedbackFormula.worthWriting(22, 20, 1)).isTrue();
        assertThat(FeedbackFormula.worthWriting(18, 20, 1)).isTrue();
        assertThat(FeedbackFormula.worthWriting(21, 20, 0)).isTrue();
        assertThat(FeedbackFormula.worthWriting(20, 20, 0)).isFalse();
    }

    @Test
    void clusterVerdictFollowsTheThesis() {
        assertThat(FeedbackFormula.cluster(new int[] {5, 9}, new int[] {10, 10}, 10)).isEqualTo(ClusterState.OVERLOADED);
        assertThat(FeedbackFormula.cluster(new int[] {5, 10}, new int[] {10, 10}, 10)).isEqualTo(ClusterState.NORMAL);
        assertThat(FeedbackFormula.cluster(new int[] {90, 100}, new int[] {10, 10}, 10)).isEqualTo(ClusterState.LIGHTLY_LOADED);
        assertThat(FeedbackFormula.cluster(new int[] {89, 100}, new int[] {10, 10}, 10)).isEqualTo(ClusterState.NORMAL);
        assertThat(FeedbackFormula.cluster(new int[0], new int[0], 10)).isEqualTo(ClusterState.UNKNOWN);
    }

    @Test
    void normalisationMakesOneTheRightLoad() {
        Sample s = new Sample(3.0, 2, 45.0, 1000, 550, 100, Double.NaN);
        double[] m = FeedbackFormula.normalise(1.25, s, Duration.ofMillis(50), RightLoad.DEFAULT);
        assertThat(m[Metric.INPUT.ordinal()]).isEqualTo(1.25);
        assertThat(m[Metric.LOAD.ordinal()]).isEqualTo(1.5);       // 3.0 / 2 CPUs / 1.0
        assertThat(m[Metric.DISK.ordinal()]).isEqualTo(0.5);       // 45 % / 90 %
        assertThat(m[Metric.MEMORY.ordinal()]).isEqualTo(0.5);     // 45 % used / 90 %
        assertThat(m[Metric.PROCESS.ordinal()]).isEqualTo(0.5);    // 100 / 200
        assertThat(m[Metric.RESPONSE.ordinal()]).isEqualTo(0.5);   // 50 ms / 100 ms
        double[] missing = FeedbackFormula.normalise(1, new Sample(Double.NaN, 0, Double.NaN, -1, -1, -1, Double.NaN), null, RightLoad.DEFAULT);
        assertThat(missing).containsExactly(1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The worked example of docs/feedback.md, from raw figures to the written weight. */
    @Test
    void docsWorkedExample() {
        double[] busy = FeedbackFormula.normalise(1.5, new Sample(5.0, 2, 45, 1000, 550, 100, Double.NaN), Duration.ofMillis(50), RightLoad.DEFAULT);
        double agg = FeedbackFormula.aggregate(Coefficients.WEB, busy);
        assertThat(agg).isCloseTo(1.20, within(1e-12));
        assertThat(FeedbackFormula.nextWeight(10, agg, 5, 10, 10)).isEqualTo(7);
        assertThat(FeedbackFormula.worthWriting(7, 10, 1)).isTrue();
        double[] idle = FeedbackFormula.normalise(0.5, new Sample(0.5, 2, 45, 1000, 550, 100, Double.NaN), Duration.ofMillis(20), RightLoad.DEFAULT);
        double aggIdle = FeedbackFormula.aggregate(Coefficients.WEB, idle);
        assertThat(aggIdle).isCloseTo(0.335, within(1e-12));
        assertThat(FeedbackFormula.nextWeight(10, aggIdle, 5, 10, 10)).isEqualTo(14);
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new Coefficients(-0.1, 0.4, 0.1, 0.1, 0.2, 0.3)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("coefficient input must be a number >= 0");
        assertThatThrownBy(() -> new Coefficients(0.1, 0.3, 0.1, 0.1, 0.1, 0.1)).hasMessageContaining("add up to 1");
        FeedbackSettings d = FeedbackSettings.DEFAULT;
        assertThatThrownBy(() -> new FeedbackSettings(Duration.ofSeconds(1), d.coefficients(), 5, 10, 1, d.rightLoad(), d.collector(), d.probe()))
                .hasMessageContaining("interval must be between 2s and 10s, got 1000ms");
        assertThatThrownBy(() -> new FeedbackSettings(Duration.ofSeconds(11), d.coefficients(), 5, 10, 1, d.rightLoad(), d.collector(), d.probe()))
                .hasMessageContaining("interval must be between 2s and 10s");
        assertThatThrownBy(() -> new FeedbackSettings(Duration.ofSeconds(5), d.coefficients(), -5, 10, 1, d.rightLoad(), d.collector(), d.probe()))
                .hasMessageContaining("a must be");
        assertThatThrownBy(() -> new RightLoad(0, 90, 90, 200, Duration.ofMillis(100))).hasMessageContaining("right_load.load");
        assertThatThrownBy(() -> new CollectorSpec.SnmpV3(null, 161, "u", CollectorSpec.AuthProtocol.SHA, "short", CollectorSpec.PrivProtocol.NONE,
                null, Duration.ofSeconds(1), 1)).hasMessageContaining("auth_password must have at least 8");
        assertThatThrownBy(() -> new CollectorSpec.Agent(null, 0, Duration.ofSeconds(1))).hasMessageContaining("port 0 out of range");
    }
}
