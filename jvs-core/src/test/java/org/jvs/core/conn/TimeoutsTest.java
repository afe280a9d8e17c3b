package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jvs.core.model.ConfigException;
import org.junit.jupiter.api.Test;

class TimeoutsTest {
    private final Timeouts t = new Timeouts();

    @Test
    void tcpDefaultsAreTheIpvsOnes() {
        int[] expected = {2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120};
        for (TcpState s : TcpState.values()) {
            assertThat(t.tcp(s.ordinal())).as(s.label()).isEqualTo(expected[s.ordinal()]);
            assertThat(Timeouts.defaultTcp(s.ordinal())).as(s.label()).isEqualTo(expected[s.ordinal()]);
        }
        assertThat(t.udp()).isEqualTo(300);
        assertThat(t.sctp()).isEqualTo(900);
    }

    @Test
    void secureDefaultsShortenTheHalfOpenAndClosingStates() {
        // 2.4 vs_timeout_table_dos figures, never above the normal ones.
        int[] expected = {2, 480, 60, 10, 60, 60, 10, 60, 30, 120, 10};
        for (TcpState s : TcpState.values()) {
            assertThat(t.tcpSecure(s.ordinal())).as(s.label()).isEqualTo(expected[s.ordinal()]);
            assertThat(t.tcp(s.ordinal(), true)).as(s.label()).isEqualTo(expected[s.ordinal()]);
            assertThat(t.tcp(s.ordinal(), false)).as(s.label()).isEqualTo(t.tcp(s.ordinal()));
        }
    }

    @Test
    void viewIsWhatIpvsadmListTimeoutShows() {
        assertThat(t.view()).isEqualTo(new Timeouts.View(900, 120, 300));
        assertThat(t.view().format()).isEqualTo("Timeout (tcp tcpfin udp): 900 120 300");
    }

    @Test
    void setChangesEstablishedFinWaitAndUdpOnly() {
        t.set(3600, 30, 60);
        assertThat(t.view()).isEqualTo(new Timeouts.View(3600, 30, 60));
        assertThat(t.tcp(TcpState.ESTABLISHED.ordinal())).isEqualTo(3600);
        assertThat(t.tcp(TcpState.FIN_WAIT.ordinal())).isEqualTo(30);
        assertThat(t.udp()).isEqualTo(60);
        // Everything else untouched, TIME_WAIT included (tcpfin is FIN_WAIT only).
        for (TcpState s : TcpState.values()) {
            if (s != TcpState.ESTABLISHED && s != TcpState.FIN_WAIT) {
                assertThat(t.tcp(s.ordinal())).as(s.label()).isEqualTo(Timeouts.defaultTcp(s.ordinal()));
            }
        }
        assertThat(t.sctp()).isEqualTo(900);
    }

    @Test
    void zeroLeavesThatTimeoutUnchanged() {
        t.set(1000, 200, 400);
        t.set(0, 50, 0);
        assertThat(t.view()).isEqualTo(new Timeouts.View(1000, 50, 400));
        t.set(0, 0, 0);
        assertThat(t.view()).isEqualTo(new Timeouts.View(1000, 50, 400));
        t.set(7, 0, 0);
        assertThat(t.view()).isEqualTo(new Timeouts.View(7, 50, 400));
    }

    @Test
    void badValuesAreRejectedAndNothingChanges() {
        t.set(1000, 200, 400);
        String before = t.toString();
        int tooBig = Timeouts.MAX_SECONDS + 1;
        assertThatThrownBy(() -> t.set(-1, 0, 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tcp timeout -1 out of range 0..2147483");
        assertThatThrownBy(() -> t.set(5, -1, 5)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tcpfin timeout -1");
        assertThatThrownBy(() -> t.set(5, 5, tooBig)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("udp timeout 2147484");
        assertThatThrownBy(() -> t.set(tooBig, 5, 5)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> t.set(Integer.MIN_VALUE, 5, 5)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> t.setSctp(-5)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sctp timeout -5");
        assertThat(t.toString()).isEqualTo(before);
        assertThat(t.view()).isEqualTo(new Timeouts.View(1000, 200, 400));
    }

    @Test
    void largestAcceptedValueIsIntMaxOverAThousand() {
        assertThat(Timeouts.MAX_SECONDS).isEqualTo(2_147_483);
        t.set(Timeouts.MAX_SECONDS, Timeouts.MAX_SECONDS, Timeouts.MAX_SECONDS);
        assertThat(t.view()).isEqualTo(new Timeouts.View(2_147_483, 2_147_483, 2_147_483));
    }

    @Test
    void secureTimeoutsFollowSetButNeverExceedTheirCaps() {
        t.set(3600, 30, 0);
        assertThat(t.tcpSecure(TcpState.ESTABLISHED.ordinal())).isEqualTo(480); // capped
        assertThat(t.tcpSecure(TcpState.FIN_WAIT.ordinal())).isEqualTo(30); // below the cap: applies
        t.set(300, 600, 0);
        assertThat(t.tcpSecure(TcpState.ESTABLISHED.ordinal())).isEqualTo(300);
        assertThat(t.tcpSecure(TcpState.FIN_WAIT.ordinal())).isEqualTo(60);
    }

    @Test
    void sctpHasItsOwnSetter() {
        t.setSctp(120);
        assertThat(t.sctp()).isEqualTo(120);
        t.setSctp(0);
        assertThat(t.sctp()).isEqualTo(120);
        assertThat(t.view()).isEqualTo(new Timeouts.View(900, 120, 300));
    }

    @Test
    void rejectsStatesOutOfRange() {
        assertThatThrownBy(() -> t.tcp(11)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.tcpSecure(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        // Would otherwise read the secure half or UDP from the shared array.
        assertThatThrownBy(() -> t.tcp(11, false)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Property
    void setThenViewReflectsNonZeroValues(
            @ForAll @IntRange(min = 0, max = Timeouts.MAX_SECONDS) int tcp,
            @ForAll @IntRange(min = 0, max = Timeouts.MAX_SECONDS) int tcpfin,
            @ForAll @IntRange(min = 0, max = Timeouts.MAX_SECONDS) int udp) {
        Timeouts x = new Timeouts();
        x.set(tcp, tcpfin, udp);
        assertThat(x.view()).isEqualTo(new Timeouts.View(tcp == 0 ? 900 : tcp, tcpfin == 0 ? 120 : tcpfin,
                udp == 0 ? 300 : udp));
        for (int s = 0; s < TcpState.COUNT; s++) {
            assertThat(x.tcpSecure(s)).isLessThanOrEqualTo(x.tcp(s));
        }
    }

    /** A reader never sees half of a --set: ESTABLISHED and FIN_WAIT always come from the same call. */
    @Test
    void readersSeeWholeUpdates() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                Timeouts.View v = t.view();
                if (v.tcp() != v.tcpfin() && !(v.tcp() == 900 && v.tcpfin() == 120)) {
                    torn.compareAndSet(null, v.toString());
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 100_000; i++) {
            t.set(i, i, 0);
        }
        stop.set(true);
        reader.join();
        assertThat(torn.get()).isNull();
    }
}
