package org.jvs.core.conn;

import java.util.Objects;

/**
 * The IPVS TCP connection state machine: given a connection's state, the direction a segment travels and its
 * flags, the state the connection moves to. Pure and allocation-free: one array read per segment.
 *
 * <p>IPVS does not follow TCP's own state machine segment by segment (the director is not an endpoint, may see
 * only one half of the conversation, and must stay cheap). It keeps a coarse state whose main purposes are the
 * timeout of the entry ({@link Timeouts}) and whether it counts as an active connection ({@link
 * TcpState#isActive()}). State names are from the real server's point of view: a client FIN on an established
 * connection leaves the server in CLOSE_WAIT.
 *
 * <h2>Events</h2>
 * A segment is reduced to one event by priority RST, SYN, FIN, ACK ({@link #eventOf}): SYN+ACK is a SYN
 * event, FIN+ACK a FIN event, anything with RST a RST event. IPVS moves a segment with none of these flags to
 * CLOSE; JVS leaves the state unchanged instead (such segments are not valid TCP after the handshake and
 * should not let a blind sender tear down an entry; in practice every real segment carries one of the four).
 *
 * <h2>Tables</h2>
 * Six tables, the ones of Linux IPVS (ip_vs_proto_tcp.c, identical since 2.4): INPUT, OUTPUT and INPUT_ONLY,
 * each in a normal and a secure_tcp ("DoS") variant. They are written below as text, one row per event, one
 * column per current state, so that they can be read against the IPVS source and the reasoning for each row
 * sits next to it. Cells in the secure tables that differ from the normal table are explained separately.
 *
 * <p>No transition leads into LAST_ACK (in IPVS either: the server's FIN after the client's goes straight to
 * TIME_WAIT). Its column matters only for entries created in that state, e.g. by connection sync from a peer.
 */
public final class TcpStateMachine {

    /** Client to server, on a connection whose replies also pass the director (NAT, FullNAT, local). */
    public static final int DIR_INPUT = 0;
    /** Server to client replies (seen only in NAT and FullNAT). */
    public static final int DIR_OUTPUT = 1;
    /** Client to server on a connection whose replies bypass the director (DR, TUN): only half is seen. */
    public static final int DIR_INPUT_ONLY = 2;

    /** TCP header flag bits, as in byte 13 of the TCP header. */
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int ACK = 0x10;

    /** Event numbers: the row of a table. {@link #EVENT_NONE} means "no transition". */
    public static final int EVENT_SYN = 0;
    public static final int EVENT_FIN = 1;
    public static final int EVENT_ACK = 2;
    public static final int EVENT_RST = 3;
    public static final int EVENT_NONE = -1;

    private static final int EVENTS = 4;
    private static final int DIRECTIONS = 3;
    private static final int S = TcpState.COUNT;

    /*
     * Column order is the state number: NO ES SS SR FW TW CL CW LA LI SA
     * (NONE ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN SYNACK).
     *
     * Row reasoning, normal tables:
     *
     * INPUT (client -> server, replies seen)
     *  syn: a client SYN opens, or re-opens a finished entry, as SYN_RECV (the server has a SYN to answer);
     *       on ES it is a retransmission and changes nothing; on SS (the server opened first, e.g. an active FTP
     *       data connection) the client's SYN completes a simultaneous open: ES.
     *  fin: the client closes first: ES -> CW (the server still has to close), a FIN on a half-open or closing
     *       entry (SR, FW, SA) finishes it: TW; a FIN on an unknown entry (NO) closes it; others keep their state.
     *  ack: the client's ACK completes the handshake (SR, SA -> ES); after the server closed (LA) it is the last
     *       ACK: CL; an ACK on an entry with no history (NO) is stray: CL; others keep their state.
     *  rst: closes, except: SR stays SR and SA falls back to SR (a reset in the handshake is cheap to keep for the
     *       short SYN_RECV timeout and may be spoofed), LA stays LA (the server's FIN is still unacknowledged),
     *       LI stays LI (an FTP listen entry waits for its data connection, not for this flow's packets).
     *
     * OUTPUT (server -> client)
     *  syn: a server SYN with nothing seen (NO) opens a server-initiated connection: SS; SYN+ACK answering the
     *       client's SYN keeps SR (the normal table does not tell SYN_RECV and SYNACK apart, and SA falls back to
     *       SR); on finished entries a server SYN re-opens as SS; ES and LI are unaffected.
     *  fin: the server closes first: ES -> FW; after the client closed (CW) both have: TW; NO, SR, SA -> TW
     *       (the server gives up an unestablished connection); others keep their state.
     *  ack: server traffic establishes NO (an entry picked up mid-stream, e.g. synced or after a restart), SR,
     *       LI (the expected FTP data connection arrived) and SA; others keep their state.
     *  rst: closes everything except SS (the server's own half-open attempt keeps its timeout) and TW (the
     *       connection is finished; the entry lingers for its TIME_WAIT timeout anyway).
     *
     * INPUT_ONLY (client -> server, replies bypass the director): as INPUT except for what it cannot see.
     *  fin: ES -> FW and FW stays FW (INPUT has CW and TW): the client's FIN is the only sign of the close the
     *       director will ever get, so the entry gets the FIN_WAIT timeout that `--set ... tcpfin ...` controls.
     *  rst: SA -> CL (INPUT keeps SR): with no server half in view, nothing can finish the handshake.
     *  syn, ack: as INPUT (SYN -> SR, then the client's ACK -> ES, since the SYN+ACK cannot be observed).
     */
    private static final String NORMAL = """
            input       syn  SR ES ES SR SR SR SR SR SR SR SR
            input       fin  CL CW SS TW TW TW CL CW LA LI TW
            input       ack  CL ES SS ES FW TW CL CW CL LI ES
            input       rst  CL CL CL SR CL CL CL CL LA LI SR
            output      syn  SS ES SS SR SS SS SS SS SS LI SR
            output      fin  TW FW SS TW FW TW CL TW LA LI TW
            output      ack  ES ES SS ES FW TW CL CW LA ES ES
            output      rst  CL CL SS CL CL TW CL CL CL CL CL
            input_only  syn  SR ES ES SR SR SR SR SR SR SR SR
            input_only  fin  CL FW SS TW FW TW CL CW LA LI TW
            input_only  ack  CL ES SS ES FW TW CL CW CL LI ES
            input_only  rst  CL CL CL SR CL CL CL CL LA LI CL
            """;

    /*
     * secure_tcp ("DoS") tables (defense strategy secure_tcp, thesis 5.2.9): ESTABLISHED is reached only after
     * the whole handshake has been seen, so a flood of spoofed SYNs, or SYNs followed by blind ACKs, cannot
     * create entries that count as active and live for the long ESTABLISHED timeout. Differences from normal:
     *
     * INPUT
     *  syn: SA stays SA (a retransmitted SYN after the server answered does not rewind the handshake).
     *  fin: SA stays SA (a FIN before the handshake is complete does not finish it).
     *  ack: SR stays SR: the client ACKs a SYN+ACK the director never saw (blind ACK, the point of this table);
     *       SA stays SA: the client's ACK alone does not establish; the server's first ACK (OUTPUT) does, which
     *       proves the server accepted the connection.
     *  rst: SA -> CL (normal: SR): a reset ends an entry in the handshake instead of keeping it around.
     * OUTPUT
     *  syn: SR -> SA and SA stays SA: the server's SYN+ACK is recorded as such, which is what INPUT waits for.
     * INPUT_ONLY
     *  syn: a SYN opens (or re-opens, from FW TW CL CW LA LI) as SA instead of SR (SR, ES and SS as normal);
     *       the client's ACK then establishes from SA as in the normal table. The director cannot see the
     *       SYN+ACK in DR/TUN, so demanding it would leave every such connection inactive forever; IPVS only
     *       moves the SYN state. (SYNACK's secure timeout is therefore 10 s, not Linux 2.4's 100 s: see
     *       Timeouts.)
     *  fin, ack, rst: as normal.
     */
    private static final String SECURE = """
            input       syn  SR ES ES SR SR SR SR SR SR SR SA
            input       fin  CL CW SS TW TW TW CL CW LA LI SA
            input       ack  CL ES SS SR FW TW CL CW CL LI SA
            input       rst  CL CL CL SR CL CL CL CL LA LI CL
            output      syn  SS ES SS SA SS SS SS SS SS LI SA
            output      fin  TW FW SS TW FW TW CL TW LA LI TW
            output      ack  ES ES SS ES FW TW CL CW LA ES ES
            output      rst  CL CL SS CL CL TW CL CL CL CL CL
            input_only  syn  SA ES ES SR SA SA SA SA SA SA SA
            input_only  fin  CL FW SS TW FW TW CL CW LA LI TW
            input_only  ack  CL ES SS ES FW TW CL CW CL LI ES
            input_only  rst  CL CL CL SR CL CL CL CL LA LI CL
            """;

    /** [secure][direction][event][state] flattened; bytes keep all six tables within a few cache lines. */
    private static final byte[] NEXT = new byte[2 * DIRECTIONS * EVENTS * S];

    static {
        parse(NORMAL, 0);
        parse(SECURE, 1);
    }

    private TcpStateMachine() {
    }

    /**
     * The state after a segment with {@code tcpFlags} travels in {@code direction} on a connection in
     * {@code state}; {@code secure} selects the secure_tcp tables (while the defense is active).
     *
     * @throws IndexOutOfBoundsException for a state outside 0..10 or an unknown direction (a caller bug)
     */
    public static int next(int state, int direction, int tcpFlags, boolean secure) {
        Objects.checkIndex(state, S);
        Objects.checkIndex(direction, DIRECTIONS);
        int event = eventOf(tcpFlags);
        if (event < 0) {
            return state;
        }
        return NEXT[index(secure ? 1 : 0, direction, event, state)];
    }

    /** The same, in terms of {@link TcpState} for callers off the hot path (tests, tools). */
    public static TcpState next(TcpState state, int direction, int tcpFlags, boolean secure) {
        return TcpState.of(next(state.ordinal(), direction, tcpFlags, secure));
    }

    /** The event a segment stands for: RST beats SYN beats FIN beats ACK; {@link #EVENT_NONE} if none is set. */
    public static int eventOf(int tcpFlags) {
        if ((tcpFlags & RST) != 0) {
            return EVENT_RST;
        }
        if ((tcpFlags & SYN) != 0) {
            return EVENT_SYN;
        }
        if ((tcpFlags & FIN) != 0) {
            return EVENT_FIN;
        }
        if ((tcpFlags & ACK) != 0) {
            return EVENT_ACK;
        }
        return EVENT_NONE;
    }

    private static int index(int secure, int direction, int event, int state) {
        return ((secure * DIRECTIONS + direction) * EVENTS + event) * S + state;
    }

    // Runs once at class initialisation; a malformed table must stop the class from loading, not half-fill it.
    private static void parse(String table, int secure) {
        String[] lines = table.strip().split("\n");
        boolean[] seen = new boolean[DIRECTIONS * EVENTS];
        if (lines.length != seen.length) {
            throw new IllegalStateException("expected " + seen.length + " rows, got " + lines.length);
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2 + S) {
                throw new IllegalStateException("bad row: " + line);
            }
            int direction = switch (f[0]) {
                case "input" -> DIR_INPUT;
                case "output" -> DIR_OUTPUT;
                case "input_only" -> DIR_INPUT_ONLY;
                default -> throw new IllegalStateException("bad direction: " + line);
            };
            int event = switch (f[1]) {
                case "syn" -> EVENT_SYN;
                case "fin" -> EVENT_FIN;
                case "ack" -> EVENT_ACK;
                case "rst" -> EVENT_RST;
                default -> throw new IllegalStateException("bad event: " + line);
            };
            if (seen[direction * EVENTS + event]) {
                throw new IllegalStateException("duplicate row: " + line);
            }
            seen[direction * EVENTS + event] = true;
            for (int s = 0; s < S; s++) {
                NEXT[index(secure, direction, event, s)] = (byte) abbreviated(f[2 + s]).ordinal();
            }
        }
    }

    private static TcpState abbreviated(String code) {
        return switch (code) {
            case "NO" -> TcpState.NONE;
            case "ES" -> TcpState.ESTABLISHED;
            case "SS" -> TcpState.SYN_SENT;
            case "SR" -> TcpState.SYN_RECV;
            case "FW" -> TcpState.FIN_WAIT;
            case "TW" -> TcpState.TIME_WAIT;
            case "CL" -> TcpState.CLOSE;
            case "CW" -> TcpState.CLOSE_WAIT;
            case "LA" -> TcpState.LAST_ACK;
            case "LI" -> TcpState.LISTEN;
            case "SA" -> TcpState.SYNACK;
            default -> throw new IllegalStateException("bad state code: " + code);
        };
    }
}
