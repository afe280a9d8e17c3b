package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TcpStateTest {

    @Test
    void ordinalsAreTheIpvsStateNumbers() {
        // The byte in connection entries and the sync protocol depend on these exact numbers.
        assertThat(TcpState.values()).containsExactly(
                TcpState.NONE, TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV, TcpState.FIN_WAIT,
                TcpState.TIME_WAIT, TcpState.CLOSE, TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.LISTEN,
                TcpState.SYNACK);
        assertThat(TcpState.ESTABLISHED.ordinal()).isEqualTo(1);
        assertThat(TcpState.SYNACK.ordinal()).isEqualTo(10);
        assertThat(TcpState.COUNT).isEqualTo(TcpState.values().length);
    }

    @Test
    void labelsAreWhatIpvsadmPrints() {
        assertThat(TcpState.ESTABLISHED.label()).isEqualTo("ESTABLISHED");
        assertThat(TcpState.SYN_RECV.label()).isEqualTo("SYN_RECV");
        assertThat(TcpState.FIN_WAIT.label()).isEqualTo("FIN_WAIT");
        assertThat(TcpState.NONE.label()).isEqualTo("NONE");
        assertThat(TcpState.TIME_WAIT.label()).isEqualTo("TIME_WAIT");
        assertThat(TcpState.CLOSE_WAIT.label()).isEqualTo("CLOSE_WAIT");
        assertThat(TcpState.LAST_ACK.label()).isEqualTo("LAST_ACK");
        assertThat(TcpState.SYNACK.label()).isEqualTo("SYNACK");
    }

    @Test
    void onlyEstablishedIsActive() {
        for (TcpState s : TcpState.values()) {
            assertThat(s.isActive()).as(s.label()).isEqualTo(s == TcpState.ESTABLISHED);
        }
    }

    @Test
    void ofMapsOrdinalsBackWithoutCopying() {
        for (TcpState s : TcpState.values()) {
            assertThat(TcpState.of(s.ordinal())).isSameAs(s);
        }
        assertThatThrownBy(() -> TcpState.of(11)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> TcpState.of(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
