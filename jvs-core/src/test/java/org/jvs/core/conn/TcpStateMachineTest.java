package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvs.core.conn.TcpState.CLOSE;
import static org.jvs.core.conn.TcpState.CLOSE_WAIT;
import static org.jvs.core.conn.TcpState.ESTABLISHED;
import static org.jvs.core.conn.TcpState.FIN_WAIT;
import static org.jvs.core.conn.TcpState.LAST_ACK;
import static org.jvs.core.conn.TcpState.LISTEN;
import static org.jvs.core.conn.TcpState.NONE;
import static org.jvs.core.conn.TcpState.SYNACK;
import static org.jvs.core.conn.TcpState.SYN_RECV;
import static org.jvs.core.conn.TcpState.SYN_SENT;
import static org.jvs.core.conn.TcpState.TIME_WAIT;
import static org.jvs.core.conn.TcpStateMachine.ACK;
import static org.jvs.core.conn.TcpStateMachine.DIR_INPUT;
import static org.jvs.core.conn.TcpStateMachine.DIR_INPUT_ONLY;
import static org.jvs.core.conn.TcpStateMachine.DIR_OUTPUT;
import static org.jvs.core.conn.TcpStateMachine.FIN;
import static org.jvs.core.conn.TcpStateMachine.RST;
import static org.jvs.core.conn.TcpStateMachine.SYN;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpStateMachineTest {
    private static final int PSH = 0x08;
    private static final int URG = 0x20;
    private static final int ECE = 0x40;
    private static final int CWR = 0x80;

    private static final String[] DIR = {"in", "out", "in-only"};

    /** One segment of a scenario and the state the connection must be in after it. */
    record Step(int direction, int flags, TcpState expected) {
        @Override
        public String toString() {
            return DIR[direction] + " " + flagNames(flags) + " -> " + expected;
        }
    }

    static Step in(int flags, TcpState expected) {
        return new Step(DIR_INPUT, flags, expected);
    }

    static Step out(int flags, TcpState expected) {
        return new Step(DIR_OUTPUT, flags, expected);
    }

    static Step half(int flags, TcpState expected) {
        return new Step(DIR_INPUT_ONLY, flags, expected);
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                // NAT / FullNAT: the director sees both halves.
                Arguments.of("three-way handshake", false, NONE, List.of(
                        in(SYN, SYN_RECV), out(SYN | ACK, SYN_RECV), in(ACK, ESTABLISHED),
                        in(ACK | PSH, ESTABLISHED), out(ACK, ESTABLISHED))),
                Arguments.of("server closes first (active close on the server)", false, ESTABLISHED, List.of(
                        out(FIN | ACK, FIN_WAIT), in(ACK, FIN_WAIT), in(FIN | ACK, TIME_WAIT),
                        out(ACK, TIME_WAIT))),
                Arguments.of("client closes first (passive close on the server)", false, ESTABLISHED, List.of(
                        in(FIN | ACK, CLOSE_WAIT), out(ACK, CLOSE_WAIT), in(ACK, CLOSE_WAIT),
                        // IPVS has no transition into LAST_ACK: the server's FIN ends both halves at once.
                        out(FIN | ACK, TIME_WAIT), in(ACK, TIME_WAIT))),
                Arguments.of("last ACK of a LAST_ACK entry (e.g. synced from a peer)", false, LAST_ACK, List.of(
                        out(ACK, LAST_ACK), in(ACK, CLOSE))),
                Arguments.of("client resets an established connection", false, ESTABLISHED, List.of(
                        in(RST, CLOSE), in(ACK, CLOSE))),
                Arguments.of("client SYN re-opens a finished entry", false, TIME_WAIT, List.of(
                        in(SYN, SYN_RECV), out(SYN | ACK, SYN_RECV), in(ACK, ESTABLISHED))),
                Arguments.of("server-initiated connection (active FTP data)", false, NONE, List.of(
                        out(SYN, SYN_SENT), in(SYN | ACK, ESTABLISHED))),
                Arguments.of("entry picked up mid-stream establishes on server traffic", false, NONE, List.of(
                        out(ACK, ESTABLISHED))),
                Arguments.of("stray client ACK on an unknown entry closes it", false, NONE, List.of(
                        in(ACK, CLOSE))),
                Arguments.of("FTP listen entry established by the data connection", false, LISTEN, List.of(
                        in(ACK, LISTEN), in(RST, LISTEN), out(ACK, ESTABLISHED))),

                // DR / TUN: only the client half.
                Arguments.of("half connection: open, data, close", false, NONE, List.of(
                        half(SYN, SYN_RECV), half(ACK, ESTABLISHED), half(ACK | PSH, ESTABLISHED),
                        half(FIN | ACK, FIN_WAIT), half(ACK, FIN_WAIT), half(FIN | ACK, FIN_WAIT))),
                Arguments.of("half connection: reset", false, ESTABLISHED, List.of(
                        half(RST | ACK, CLOSE))),
                Arguments.of("half connection: FIN during the handshake", false, NONE, List.of(
                        half(SYN, SYN_RECV), half(FIN, TIME_WAIT))),

                // secure_tcp.
                Arguments.of("secure: blind ACK after SYN does not establish", true, NONE, List.of(
                        in(SYN, SYN_RECV), in(ACK, SYN_RECV), in(ACK, SYN_RECV))),
                Arguments.of("secure: full handshake, established by the server's first ACK", true, NONE, List.of(
                        in(SYN, SYN_RECV), out(SYN | ACK, SYNACK), in(SYN, SYNACK), in(ACK, SYNACK),
                        out(ACK, ESTABLISHED), in(ACK, ESTABLISHED))),
                Arguments.of("secure: reset during the handshake closes", true, NONE, List.of(
                        in(SYN, SYN_RECV), out(SYN | ACK, SYNACK), in(RST, CLOSE))),
                Arguments.of("secure: half connection opens as SYNACK, the client ACK establishes", true, NONE,
                        List.of(half(SYN, SYNACK), half(ACK, ESTABLISHED), half(FIN, FIN_WAIT))),
                Arguments.of("secure: half connection re-opened from TIME_WAIT", true, TIME_WAIT, List.of(
                        half(SYN, SYNACK), half(RST, CLOSE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, boolean secure, TcpState start, List<Step> steps) {
        TcpState s = start;
        List<String> trace = new ArrayList<>();
        for (Step step : steps) {
            s = TcpStateMachine.next(s, step.direction(), step.flags(), secure);
            trace.add(step + " (got " + s + ")");
            assertThat(s).as("%s", trace).isEqualTo(step.expected());
        }
    }

    @Test
    void secureRefusesToEstablishOnABareAckWhereTheNormalTableWould() {
        int sr = SYN_RECV.ordinal();
        assertThat(TcpStateMachine.next(sr, DIR_INPUT, ACK, false)).isEqualTo(ESTABLISHED.ordinal());
        assertThat(TcpStateMachine.next(sr, DIR_INPUT, ACK, true)).isEqualTo(SYN_RECV.ordinal());
        // Nor does the client's ACK after the SYN+ACK: the server has to speak first.
        assertThat(TcpStateMachine.next(SYNACK.ordinal(), DIR_INPUT, ACK, true)).isEqualTo(SYNACK.ordinal());
        assertThat(TcpStateMachine.next(SYNACK.ordinal(), DIR_INPUT, ACK, false)).isEqualTo(ESTABLISHED.ordinal());
    }

    /** RST from every state, per table: CLOSE except where IPVS deliberately keeps the state. */
    @Test
    void resetClosesFromEveryStateExceptTheDocumentedOnes() {
        Map<TcpState, TcpState> input = exceptions(SYN_RECV, SYN_RECV, LAST_ACK, LAST_ACK, LISTEN, LISTEN,
                SYNACK, SYN_RECV);
        Map<TcpState, TcpState> output = exceptions(SYN_SENT, SYN_SENT, TIME_WAIT, TIME_WAIT);
        Map<TcpState, TcpState> inputOnly = exceptions(SYN_RECV, SYN_RECV, LAST_ACK, LAST_ACK, LISTEN, LISTEN);
        Map<TcpState, TcpState> secureInput = exceptions(SYN_RECV, SYN_RECV, LAST_ACK, LAST_ACK, LISTEN, LISTEN);
        for (TcpState s : TcpState.values()) {
            assertThat(TcpStateMachine.next(s, DIR_INPUT, RST, false)).as("in " + s).isEqualTo(input.getOrDefault(s, CLOSE));
            assertThat(TcpStateMachine.next(s, DIR_OUTPUT, RST, false)).as("out " + s).isEqualTo(output.getOrDefault(s, CLOSE));
            assertThat(TcpStateMachine.next(s, DIR_INPUT_ONLY, RST, false)).as("in-only " + s)
                    .isEqualTo(inputOnly.getOrDefault(s, CLOSE));
            assertThat(TcpStateMachine.next(s, DIR_INPUT, RST, true)).as("secure in " + s)
                    .isEqualTo(secureInput.getOrDefault(s, CLOSE));
            assertThat(TcpStateMachine.next(s, DIR_OUTPUT, RST, true)).as("secure out " + s)
                    .isEqualTo(output.getOrDefault(s, CLOSE));
            assertThat(TcpStateMachine.next(s, DIR_INPUT_ONLY, RST, true)).as("secure in-only " + s)
                    .isEqualTo(inputOnly.getOrDefault(s, CLOSE));
        }
    }

    /**
     * The secure tables differ from the normal ones in exactly these cells (an independent statement of the
     * IPVS tcp_states_dos deltas, so an accidental edit of either table shows up here).
     */
    @Test
    void secureTablesDifferOnlyInTheHandshakeCells() {
        List<String> expected = List.of(
                "in syn SYNACK: SYN_RECV -> SYNACK",
                "in fin SYNACK: TIME_WAIT -> SYNACK",
                "in ack SYN_RECV: ESTABLISHED -> SYN_RECV",
                "in ack SYNACK: ESTABLISHED -> SYNACK",
                "in rst SYNACK: SYN_RECV -> CLOSE",
                "out syn SYN_RECV: SYN_RECV -> SYNACK",
                "out syn SYNACK: SYN_RECV -> SYNACK",
                "in-only syn NONE: SYN_RECV -> SYNACK",
                "in-only syn FIN_WAIT: SYN_RECV -> SYNACK",
                "in-only syn TIME_WAIT: SYN_RECV -> SYNACK",
                "in-only syn CLOSE: SYN_RECV -> SYNACK",
                "in-only syn CLOSE_WAIT: SYN_RECV -> SYNACK",
                "in-only syn LAST_ACK: SYN_RECV -> SYNACK",
                "in-only syn LISTEN: SYN_RECV -> SYNACK",
                "in-only syn SYNACK: SYN_RECV -> SYNACK");
        String[] events = {"syn", "fin", "ack", "rst"};
        int[] flags = {SYN, FIN, ACK, RST};
        List<String> diffs = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            for (int e = 0; e < 4; e++) {
                for (TcpState s : TcpState.values()) {
                    TcpState normal = TcpStateMachine.next(s, d, flags[e], false);
                    TcpState secure = TcpStateMachine.next(s, d, flags[e], true);
                    if (normal != secure) {
                        diffs.add(DIR[d] + " " + events[e] + " " + s + ": " + normal + " -> " + secure);
                    }
                }
            }
        }
        assertThat(diffs).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void inputOnlyDiffersFromInputOnlyWhereTheMissingHalfMatters() {
        String[] events = {"syn", "fin", "ack", "rst"};
        int[] flags = {SYN, FIN, ACK, RST};
        List<String> diffs = new ArrayList<>();
        for (int e = 0; e < 4; e++) {
            for (TcpState s : TcpState.values()) {
                TcpState input = TcpStateMachine.next(s, DIR_INPUT, flags[e], false);
                TcpState only = TcpStateMachine.next(s, DIR_INPUT_ONLY, flags[e], false);
                if (input != only) {
                    diffs.add(events[e] + " " + s + ": " + input + " -> " + only);
                }
            }
        }
        assertThat(diffs).containsExactlyInAnyOrder(
                "fin ESTABLISHED: CLOSE_WAIT -> FIN_WAIT",
                "fin FIN_WAIT: TIME_WAIT -> FIN_WAIT",
                "rst SYNACK: SYN_RECV -> CLOSE");
    }

    @Test
    void lastAckIsNeverEnteredFromAnotherState() {
        for (int d = 0; d < 3; d++) {
            for (int f = 0; f < 256; f++) {
                for (TcpState s : TcpState.values()) {
                    if (s != LAST_ACK) {
                        assertThat(TcpStateMachine.next(s, d, f, false)).isNotEqualTo(LAST_ACK);
                        assertThat(TcpStateMachine.next(s, d, f, true)).isNotEqualTo(LAST_ACK);
                    }
                }
            }
        }
    }

    @Test
    void eventPriorityIsRstSynFinAck() {
        assertThat(TcpStateMachine.eventOf(SYN | RST)).isEqualTo(TcpStateMachine.EVENT_RST);
        assertThat(TcpStateMachine.eventOf(SYN | FIN | ACK | RST)).isEqualTo(TcpStateMachine.EVENT_RST);
        assertThat(TcpStateMachine.eventOf(SYN | ACK)).isEqualTo(TcpStateMachine.EVENT_SYN);
        assertThat(TcpStateMachine.eventOf(SYN | FIN)).isEqualTo(TcpStateMachine.EVENT_SYN);
        assertThat(TcpStateMachine.eventOf(FIN | ACK)).isEqualTo(TcpStateMachine.EVENT_FIN);
        assertThat(TcpStateMachine.eventOf(ACK | PSH)).isEqualTo(TcpStateMachine.EVENT_ACK);
        assertThat(TcpStateMachine.eventOf(PSH | URG | ECE | CWR)).isEqualTo(TcpStateMachine.EVENT_NONE);
        assertThat(TcpStateMachine.eventOf(0)).isEqualTo(TcpStateMachine.EVENT_NONE);
    }

    @Test
    void synPlusRstCountsAsRst() {
        // SYN alone would re-open TIME_WAIT as SYN_RECV; with RST it closes.
        assertThat(TcpStateMachine.next(TIME_WAIT, DIR_INPUT, SYN, false)).isEqualTo(SYN_RECV);
        assertThat(TcpStateMachine.next(TIME_WAIT, DIR_INPUT, SYN | RST, false)).isEqualTo(CLOSE);
    }

    @Test
    void synPlusAckOnOutputCountsAsSyn() {
        // An ACK from SYN_RECV on output establishes; a SYN+ACK is the handshake answer and does not
        // (normal: stays SYN_RECV; secure: recorded as SYNACK).
        assertThat(TcpStateMachine.next(SYN_RECV, DIR_OUTPUT, ACK, false)).isEqualTo(ESTABLISHED);
        assertThat(TcpStateMachine.next(SYN_RECV, DIR_OUTPUT, SYN | ACK, false)).isEqualTo(SYN_RECV);
        assertThat(TcpStateMachine.next(SYN_RECV, DIR_OUTPUT, SYN | ACK, true)).isEqualTo(SYNACK);
    }

    @Test
    void finPlusAckCountsAsFin() {
        assertThat(TcpStateMachine.next(ESTABLISHED, DIR_OUTPUT, ACK, false)).isEqualTo(ESTABLISHED);
        assertThat(TcpStateMachine.next(ESTABLISHED, DIR_OUTPUT, FIN | ACK, false)).isEqualTo(FIN_WAIT);
    }

    @Test
    void rejectsBadStateAndDirection() {
        assertThatThrownBy(() -> TcpStateMachine.next(11, DIR_INPUT, ACK, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> TcpStateMachine.next(-1, DIR_INPUT, ACK, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> TcpStateMachine.next(0, 3, ACK, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> TcpStateMachine.next(0, -1, ACK, true))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Property
    void segmentsWithoutSynFinAckRstLeaveTheStateAlone(
            @ForAll @IntRange(min = 0, max = 10) int state,
            @ForAll @IntRange(min = 0, max = 2) int direction,
            @ForAll boolean secure,
            @ForAll @IntRange(min = 0, max = 255) int flags) {
        int other = flags & (PSH | URG | ECE | CWR);
        assertThat(TcpStateMachine.next(state, direction, other, secure)).isEqualTo(state);
    }

    @Property
    void onlyTheFourFlagsMatterAndTheResultIsAState(
            @ForAll @IntRange(min = 0, max = 10) int state,
            @ForAll @IntRange(min = 0, max = 2) int direction,
            @ForAll boolean secure,
            @ForAll @IntRange(min = 0, max = 0xFFFF) int flags) {
        int next = TcpStateMachine.next(state, direction, flags, secure);
        assertThat(next).isBetween(0, 10);
        assertThat(next).isEqualTo(TcpStateMachine.next(state, direction, flags & (SYN | FIN | ACK | RST), secure));
    }

    @Property
    void secureInputEstablishesOnlyFromEstablishedOrSynSent(
            @ForAll @IntRange(min = 0, max = 10) int state,
            @ForAll @IntRange(min = 0, max = 255) int flags) {
        // In the secure input table nothing the client sends establishes a half-open entry: the only ways to
        // ESTABLISHED are staying there, or a SYN on a server-opened (SYN_SENT) entry.
        int next = TcpStateMachine.next(state, DIR_INPUT, flags, true);
        if (next == ESTABLISHED.ordinal()) {
            assertThat(TcpState.of(state)).isIn(ESTABLISHED, SYN_SENT);
        }
    }

    private static Map<TcpState, TcpState> exceptions(TcpState... pairs) {
        Map<TcpState, TcpState> m = new EnumMap<>(TcpState.class);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static String flagNames(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & SYN) != 0) b.append('S');
        if ((flags & FIN) != 0) b.append('F');
        if ((flags & ACK) != 0) b.append('A');
        if ((flags & RST) != 0) b.append('R');
        if ((flags & PSH) != 0) b.append('P');
        return b.isEmpty() ? "." : b.toString();
    }
}
