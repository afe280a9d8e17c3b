package org.jvs.core.conn;

import java.util.Arrays;
import java.util.Objects;
import org.jvs.core.model.ConfigException;

/**
 * Connection entry timeouts in seconds: per TCP state (normal and secure_tcp), UDP and SCTP.
 *
 * <p>Read for every packet that moves a connection, written only by {@code ipvsadm --set}. Reads therefore
 * take one volatile load of an array that is never modified after publication and index it; writes copy the
 * array, change the copy and publish it (copy-on-write), so a reader sees either the old or the new figures,
 * never half of a {@code --set}.
 *
 * <h2>Defaults</h2>
 * TCP: the Linux IPVS defaults (NONE 2, ESTABLISHED 900, SYN_SENT 120, SYN_RECV 60, FIN_WAIT 120, TIME_WAIT
 * 120, CLOSE 10, CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120, SYNACK 120); UDP 300.
 *
 * <p>SCTP: one timeout, 900 s, for every SCTP entry. JVS does not run the SCTP state machine of IPVS (with
 * its own dozen states) yet, so an SCTP association is treated like an established TCP connection until it
 * is idle for that long; it is changed with {@link #setSctp(int)} since ipvsadm has no option for it.
 *
 * <h2>secure_tcp timeouts</h2>
 * While the secure_tcp defense is active the connection table uses {@link #tcpSecure(int)}. Linux 2.4 kept a
 * second table for this (vs_timeout_table_dos); modern kernels only switch the transition table. JVS follows
 * 2.4 and defines the secure timeout of each state as {@code min(normal timeout, cap)} with the 2.4 figures
 * as caps: ESTABLISHED 480, SYN_SENT 60, SYN_RECV 10, FIN_WAIT 60, TIME_WAIT 60, the others (NONE, CLOSE 10,
 * CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120) as normal; and SYNACK 10, where 2.4 had 100. The secure tables put
 * a SYN seen through DR/TUN, and a SYN a NAT server has answered, in SYNACK: with 100 s there a spoofed SYN
 * flood's entries outlived their normal 60 s SYN_RECV, so secure_tcp made the table fill faster (measured in
 * SynFloodEndToEndTest). A real client's ACK follows its SYN within a round trip, or within the server's
 * SYN+ACK retransmissions (1, 3, 7 s), so 10 s, SYN_RECV's own secure figure, keeps real handshakes. Taking the minimum (instead of a fixed
 * second table as 2.4 did) keeps two promises: defense never makes an entry live longer than it would
 * without it (2.4's NONE cap was 15 minutes, against 2 s today), and {@code --set} values below the caps
 * apply under attack too. The 2.4 secure UDP figure (180) is not used: secure_tcp is about TCP.
 */
public final class Timeouts {

    /** The largest timeout accepted, in seconds: what the kernel accepts (INT_MAX jiffies at HZ=1000). */
    public static final int MAX_SECONDS = Integer.MAX_VALUE / 1000;

    private static final int S = TcpState.COUNT;
    private static final int[] DEFAULT_TCP = {2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120};
    private static final int[] SECURE_CAP = {900, 480, 60, 10, 60, 60, 10, 60, 30, 120, 10};
    private static final int DEFAULT_UDP = 300;
    private static final int DEFAULT_SCTP = 900;

    // Layout of the published array: [0, S) normal TCP, [S, 2S) secure TCP, then UDP, then SCTP.
    private static final int SECURE = S;
    private static final int UDP = 2 * S;
    private static final int SCTP = 2 * S + 1;
    private static final int LENGTH = 2 * S + 2;

    private volatile int[] table;

    /** The IPVS defaults. */
    public Timeouts() {
        int[] t = new int[LENGTH];
        System.arraycopy(DEFAULT_TCP, 0, t, 0, S);
        t[UDP] = DEFAULT_UDP;
        t[SCTP] = DEFAULT_SCTP;
        table = deriveSecure(t);
    }

    /** The default timeout of a TCP state, in seconds. */
    public static int defaultTcp(int state) {
        return DEFAULT_TCP[Objects.checkIndex(state, S)];
    }

    /** Timeout of a TCP entry in {@code state} (the IPVS state number), in seconds. */
    public int tcp(int state) {
        return table[Objects.checkIndex(state, S)];
    }

    /** Timeout of a TCP entry in {@code state} while secure_tcp is active, in seconds. */
    public int tcpSecure(int state) {
        return table[SECURE + Objects.checkIndex(state, S)];
    }

    /** {@link #tcp} or {@link #tcpSecure}: what the connection table calls after each transition. */
    public int tcp(int state, boolean secure) {
        return table[(secure ? SECURE : 0) + Objects.checkIndex(state, S)];
    }

    public int udp() {
        return table[UDP];
    }

    public int sctp() {
        return table[SCTP];
    }

    /**
     * {@code ipvsadm --set tcp tcpfin udp}: the ESTABLISHED, FIN_WAIT and UDP timeouts; 0 keeps the current
     * value of that one. All three are checked before anything changes.
     *
     * @throws ConfigException if a value is negative or above {@link #MAX_SECONDS}
     */
    public synchronized void set(int tcp, int tcpfin, int udp) {
        check("tcp", tcp);
        check("tcpfin", tcpfin);
        check("udp", udp);
        int[] t = table.clone();
        if (tcp != 0) {
            t[TcpState.ESTABLISHED.ordinal()] = tcp;
        }
        if (tcpfin != 0) {
            t[TcpState.FIN_WAIT.ordinal()] = tcpfin;
        }
        if (udp != 0) {
            t[UDP] = udp;
        }
        table = deriveSecure(t);
    }

    /**
     * The SCTP timeout; 0 keeps the current value, as for {@link #set}.
     *
     * @throws ConfigException if the value is negative or above {@link #MAX_SECONDS}
     */
    public synchronized void setSctp(int seconds) {
        check("sctp", seconds);
        if (seconds != 0) {
            int[] t = table.clone();
            t[SCTP] = seconds;
            table = t;
        }
    }

    /** The three figures {@code ipvsadm -L --timeout} shows. */
    public View view() {
        int[] t = table; // one snapshot, so the three figures belong to the same --set
        return new View(t[TcpState.ESTABLISHED.ordinal()], t[TcpState.FIN_WAIT.ordinal()], t[UDP]);
    }

    /** ESTABLISHED, FIN_WAIT and UDP timeouts in seconds. */
    public record View(int tcp, int tcpfin, int udp) {
        /** The line of {@code ipvsadm -L --timeout}: {@code Timeout (tcp tcpfin udp): 900 120 300}. */
        public String format() {
            return "Timeout (tcp tcpfin udp): " + tcp + " " + tcpfin + " " + udp;
        }
    }

    @Override
    public String toString() {
        int[] t = table;
        return "Timeouts[tcp=" + Arrays.toString(Arrays.copyOfRange(t, 0, S))
                + ", secure=" + Arrays.toString(Arrays.copyOfRange(t, SECURE, SECURE + S))
                + ", udp=" + t[UDP] + ", sctp=" + t[SCTP] + "]";
    }

    private static void check(String name, int seconds) {
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new ConfigException(name + " timeout " + seconds + " out of range 0.." + MAX_SECONDS
                    + " seconds (0 keeps the current value)");
        }
    }

    private static int[] deriveSecure(int[] t) {
        for (int s = 0; s < S; s++) {
            t[SECURE + s] = Math.min(t[s], SECURE_CAP[s]);
        }
        return t;
    }
}
