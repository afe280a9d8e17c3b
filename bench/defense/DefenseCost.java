import org.jvs.core.Decision;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.ManualClock;

/**
 * What IPVS' three DoS defences cost in JVS (bench/defense-cost.sh): the data plane's price per new connection
 * with each strategy in force, and drop_entry's price on the housekeeping thread over a full 1 048 576-entry
 * table. In-process, single thread, no network: the figures are the core's own work.
 */
public class DefenseCost {
    static final int CAPACITY = 1 << 20;
    static final IpAddr VIP = IpAddr.parse("10.0.0.100");

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("{\"capacity\":" + CAPACITY + ",\"rounds\":" + rounds + ",");
        System.out.println("\"syn_ns\":{\"off\":" + synNs(rounds, 0, 0, 0) + ",\"drop_packet_3\":" + synNs(rounds, 0, 3, 0)
                + ",\"secure_tcp_3\":" + synNs(rounds, 0, 0, 3) + ",\"all_3\":" + synNs(rounds, 3, 3, 3) + "},");
        dropEntry(rounds);
    }

    static LoadBalancer balancer(ManualClock clock) {
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(CAPACITY, 1 << 16), clock);
        ServiceKey k = new ServiceKey.Virtual(Protocol.TCP, VIP, 80);
        lb.addService(ServiceSpec.of(k, "rr"));
        lb.addDest(k, DestSpec.of(IpAddr.parse("10.0.0.1"), 80, ForwardingMethod.DIRECT_ROUTE));
        lb.addDest(k, DestSpec.of(IpAddr.parse("10.0.0.2"), 80, ForwardingMethod.DIRECT_ROUTE));
        return lb;
    }

    /** Fills the table with SYNs from distinct sources; returns how many were accepted. */
    static int flood(LoadBalancer lb, IpAddr[] sources, Flow f, Decision d) {
        int ok = 0;
        for (int i = 0; i < sources.length; i++) {
            lb.inbound(f.set(6, sources[i], 1024 + (i & 0x7fff), VIP, 80), 0x02, 60, d);
            if (d.verdict == Decision.ACCEPT) {
                ok++;
            }
        }
        return ok;
    }

    static IpAddr[] sources(int n) {
        IpAddr[] s = new IpAddr[n];
        for (int i = 0; i < n; i++) {
            s[i] = IpAddr.parse("11." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255));
        }
        return s;
    }

    /** Median ns per connection-creating SYN into an empty table (filled to 3/4: no defence triggers on fill). */
    static long synNs(int rounds, int dropEntry, int dropPacket, int secureTcp) {
        IpAddr[] src = sources(CAPACITY * 3 / 4);
        long[] ns = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            ManualClock clock = new ManualClock();
            LoadBalancer lb = balancer(clock);
            lb.defense().setAmDropRate(Integer.MAX_VALUE); // mode 3 in force, but (almost) nothing dropped
            lb.defense().setDropEntryMode(dropEntry);
            lb.defense().setDropPacketMode(dropPacket);
            lb.defense().setSecureTcpMode(secureTcp);
            Flow f = new Flow();
            Decision d = new Decision();
            long t0 = System.nanoTime();
            flood(lb, src, f, d);
            ns[r] = (System.nanoTime() - t0) / src.length;
            lb.close();
        }
        java.util.Arrays.sort(ns);
        return ns[rounds / 2];
    }

    /** drop_entry over a full table: entries killed and microseconds per housekeeping tick, with it on and off. */
    static void dropEntry(int rounds) {
        ManualClock clock = new ManualClock();
        LoadBalancer lb = balancer(clock);
        Flow f = new Flow();
        Decision d = new Decision();
        IpAddr[] src = sources(CAPACITY + 1000);
        int ok = flood(lb, src, f, d);
        long refused = lb.connTable(false).insertFailures();
        lb.defense().setDropEntryMode(1);
        lb.defense().setDropPacketMode(1);
        int modeWhenFull = lb.defense().dropEntryMode();
        int rateWhenFull = lb.defense().dropRate();
        long[] on = new long[rounds];
        StringBuilder sizes = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            int before = lb.connections().size();
            long t0 = System.nanoTime();
            clock.advanceSeconds(1);
            lb.housekeeping();
            on[r] = (System.nanoTime() - t0) / 1000;
            sizes.append(r == 0 ? "" : ",").append(before - lb.connections().size());
        }
        lb.defense().setDropEntryMode(0);
        lb.defense().setDropPacketMode(0);
        long[] off = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            clock.advanceSeconds(1);
            lb.housekeeping();
            off[r] = (System.nanoTime() - t0) / 1000;
        }
        java.util.Arrays.sort(on);
        java.util.Arrays.sort(off);
        System.out.println("\"flood\":{\"offered\":" + src.length + ",\"accepted\":" + ok + ",\"refused_when_full\":" + refused
                + ",\"drop_entry_mode_when_full\":" + modeWhenFull + ",\"drop_packet_one_in_when_full\":" + rateWhenFull + "},");
        System.out.println("\"housekeeping_us\":{\"drop_entry_on_median\":" + on[rounds / 2] + ",\"drop_entry_on_max\":" + on[rounds - 1]
                + ",\"off_median\":" + off[rounds / 2] + "},\"killed_per_tick\":[" + sizes + "]}");
        lb.close();
    }
}
