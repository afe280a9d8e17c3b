package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WeightArbiterTest {
    private final LoadBalancer lb = new LoadBalancer();
    private final ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.1"), 80);
    private final IpAddr a = IpAddr.parse("10.0.1.1");
    private final IpAddr b = IpAddr.parse("10.0.1.2");
    private final WeightArbiter arbiter = new WeightArbiter(lb);

    WeightArbiterTest() {
        lb.addService(ServiceSpec.of(key, "wrr"));
        lb.addDest(key, DestSpec.of(a, 80, new ForwardingMethod.Nat()).withWeight(10));
        lb.addDest(key, DestSpec.of(b, 80, new ForwardingMethod.Nat()).withWeight(0));
    }

    @AfterEach
    void close() {
        lb.close();
    }

    private int weight(IpAddr addr) {
        return lb.service(key).dest(addr, 80).weight();
    }

    @Test
    void combinesConfiguredFeedbackAndHealth() {
        assertThat(WeightArbiter.combine(10, -1, 1.0)).isEqualTo(10);
        assertThat(WeightArbiter.combine(10, 25, 1.0)).isEqualTo(25);
        assertThat(WeightArbiter.combine(10, 25, 0.5)).isEqualTo(13);
        assertThat(WeightArbiter.combine(10, -1, 0.01)).isEqualTo(1);
        assertThat(WeightArbiter.combine(10, -1, 0.0)).isZero();
        assertThat(WeightArbiter.combine(0, 25, 1.0)).as("administrator's 0 wins").isZero();
        assertThat(WeightArbiter.combine(10, 0, 1.0)).as("feedback may quiesce").isZero();
    }

    @Test
    void healthAndFeedbackDoNotOverwriteEachOther() {
        arbiter.feedback(key, a, 80, 20);
        assertThat(weight(a)).isEqualTo(20);
        arbiter.health(key, a, 80, 0.0);
        assertThat(weight(a)).isZero();
        arbiter.feedback(key, a, 80, 30);
        assertThat(weight(a)).as("down stays down whatever feedback says").isZero();
        arbiter.health(key, a, 80, 0.5);
        assertThat(weight(a)).isEqualTo(15);
        arbiter.health(key, a, 80, 1.0);
        arbiter.feedback(key, a, 80, -1);
        assertThat(weight(a)).isEqualTo(10);
    }

    @Test
    void administratorsZeroIsNeverLifted() {
        arbiter.feedback(key, b, 80, 40);
        arbiter.health(key, b, 80, 1.0);
        assertThat(weight(b)).isZero();
    }

    @Test
    void reapplyRestoresAfterAnEditAndForgetsRemovedDests() {
        arbiter.health(key, a, 80, 0.0);
        lb.editDest(key, DestSpec.of(a, 80, new ForwardingMethod.Nat()).withWeight(12));
        assertThat(weight(a)).as("an edit resets to the configured weight").isEqualTo(12);
        arbiter.reapply();
        assertThat(weight(a)).isZero();
        arbiter.health(key, a, 80, 1.0);
        assertThat(weight(a)).isEqualTo(12);
        lb.deleteDest(key, a, 80);
        arbiter.reapply();
        assertThat(arbiter.healthFactor(key, a, 80)).isEqualTo(1.0);
        assertThat(arbiter.health(key, a, 80, 0.0)).as("unknown dest").isEqualTo(-1);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> arbiter.health(key, a, 80, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> arbiter.health(key, a, 80, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> arbiter.feedback(key, a, 80, 70000)).isInstanceOf(IllegalArgumentException.class);
    }
}
