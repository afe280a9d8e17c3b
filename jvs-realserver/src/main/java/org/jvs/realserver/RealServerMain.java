package org.jvs.realserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.TunnelType;
import org.jvs.packet.TunDevice;

/**
 * {@code bin/jvs realserver}: the real-server side of VS/TUN without kernel tunnel modules. Creates the TUN device
 * with the VIPs, opens one receiver per tunnel type, prints one "ready" line, then a counters line every
 * {@code --stats} seconds when they moved, and tears everything down on SIGTERM or SIGINT.
 *
 * <pre>
 * bin/jvs realserver --tun ipip|gue|gre[,...] --vip ADDRESS[,ADDRESS...] [--port PORT] [--dev NAME]
 *                    [--director ADDRESS[,ADDRESS...]] [--stats SECONDS]
 * </pre>
 * Exit status: 0 after a clean stop, 2 for a usage error, 1 when the device or a socket could not be made.
 */
public final class RealServerMain {
    static final String DEFAULT_DEVICE = "jvs-tun0";

    /** The parsed command line. */
    record Options(List<TunnelType> types, int port, int[] vips, int[] directors, String device, int statsSeconds) {
    }

    private RealServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("jvs realserver: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            run(o);
        } catch (IllegalStateException e) {
            System.err.println("jvs realserver: " + e.getMessage());
            System.exit(1);
        }
    }

    static final String USAGE = """
            usage: jvs realserver --tun ipip|gue|gre[,...] --vip ADDRESS[,ADDRESS...] [--port PORT]
                                  [--dev NAME] [--director ADDRESS[,ADDRESS...]] [--stats SECONDS]
              --tun       the encapsulations the director sends (its -i --tun-type); several with commas
              --port      the UDP port of GUE (the director's --tun-port); required with gue
              --vip       the virtual addresses this server answers for; they go onto the TUN device
              --dev       the TUN device to create (default jvs-tun0)
              --director  accept tunnel packets from these outer sources only (default: any)
              --stats     print the counters every SECONDS when they changed (default 60, 0: never)""";

    static Options parse(String[] args) {
        Set<TunnelType> types = new LinkedHashSet<>();
        List<Integer> vips = new ArrayList<>();
        List<Integer> directors = new ArrayList<>();
        int port = 0;
        String device = DEFAULT_DEVICE;
        int stats = 60;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException("help");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("'" + a + "' needs a value, or is not an option");
            }
            String v = args[++i];
            switch (a) {
                case "--tun" -> {
                    for (String t : v.split(",")) {
                        types.add(switch (t.strip().toLowerCase(Locale.ROOT)) {
                            case "ipip" -> TunnelType.IPIP;
                            case "gue" -> TunnelType.GUE;
                            case "gre" -> TunnelType.GRE;
                            default -> throw new IllegalArgumentException("--tun: unknown tunnel type '" + t + "' (ipip, gue, gre)");
                        });
                    }
                }
                case "--vip" -> addresses(v, "--vip", vips);
                case "--director" -> addresses(v, "--director", directors);
                case "--port" -> port = number(v, "--port", 1, 65535);
                case "--dev" -> {
                    if (v.isEmpty() || v.length() > 15 || !v.matches("[A-Za-z0-9._-]+")) {
                        throw new IllegalArgumentException("--dev: '" + v + "' is not an interface name (1-15 of A-Z a-z 0-9 . _ -)");
                    }
                    device = v;
                }
                case "--stats" -> stats = number(v, "--stats", 0, 86_400);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException("--tun is required: the encapsulation the director sends");
        }
        if (vips.isEmpty()) {
            throw new IllegalArgumentException("--vip is required: the addresses this server answers for");
        }
        if (types.contains(TunnelType.GUE) && port == 0) {
            throw new IllegalArgumentException("--tun gue needs --port (the director's --tun-port)");
        }
        if (!types.contains(TunnelType.GUE) && port != 0) {
            throw new IllegalArgumentException("--port applies to gue only");
        }
        return new Options(List.copyOf(types), port, vips.stream().mapToInt(Integer::intValue).toArray(),
                directors.stream().mapToInt(Integer::intValue).toArray(), device, stats);
    }

    private static void addresses(String v, String option, List<Integer> into) {
        for (String s : v.split(",")) {
            IpAddr a;
            try {
                a = IpAddr.parse(s.strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(option + ": '" + s + "' is not an IP address");
            }
            if (a.v6()) {
                throw new IllegalArgumentException(option + ": " + s + ": IPv4 only (IPv6 tunnels are not done yet)");
            }
            into.add(a.v4Int());
        }
    }

    private static int number(String v, String option, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + ": '" + v + "' is not a number in " + min + ".." + max);
    }

    static void run(Options o) throws InterruptedException {
        TunDevice tun = Endpoint.create(o.device(), o.vips());
        List<TunnelReceiver> receivers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            for (TunnelType t : o.types()) {
                receivers.add(new TunnelReceiver(t, t == TunnelType.GUE ? o.port() : 0,
                        new Decapsulator(t, o.vips(), o.directors()), tun));
            }
        } catch (RuntimeException e) {
            receivers.forEach(TunnelReceiver::close);
            tun.close();
            throw e;
        }
        for (String w : SysctlAdvice.check(o.device())) {
            System.err.println("jvs realserver: warning: " + w);
        }
        for (TunnelReceiver r : receivers) {
            threads.add(Thread.ofPlatform().name("jvs-realserver-" + r.describe().split(" ")[0]).start(r));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            receivers.forEach(TunnelReceiver::stop);
            for (Thread t : threads) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            receivers.forEach(TunnelReceiver::close);
            tun.close();
            System.out.println("jvs realserver: stopped; " + counters(receivers));
            System.out.flush();
            stopped.countDown();
        }));
        System.out.println("jvs realserver: ready: " + o.device() + " holds " + addresses(o.vips()) + "; receiving "
                + String.join(", ", receivers.stream().map(TunnelReceiver::describe).toList()) + " from "
                + (o.directors().length == 0 ? "any director" : addresses(o.directors())));
        System.out.flush();
        String last = "";
        while (true) {
            if (o.statsSeconds() == 0) {
                stopped.await();
                return;
            }
            if (stopped.await(o.statsSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                return;
            }
            String now = counters(receivers);
            if (!now.equals(last)) {
                System.out.println("jvs realserver: " + now);
                last = now;
            }
        }
    }

    /** One line: what each receiver delivered and refused, by reason. */
    static String counters(List<TunnelReceiver> receivers) {
        List<String> parts = new ArrayList<>();
        for (TunnelReceiver r : receivers) {
            Decapsulator d = r.decapsulator();
            StringBuilder sb = new StringBuilder(r.describe().split(" ")[0]).append(": delivered ").append(r.delivered());
            for (Decapsulator.Outcome out : Decapsulator.Outcome.values()) {
                if (out != Decapsulator.Outcome.DELIVER && d.count(out) > 0) {
                    sb.append(", ").append(out.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ').append(d.count(out));
                }
            }
            long writeFailed = d.count(Decapsulator.Outcome.DELIVER) - r.delivered();
            if (writeFailed > 0) {
                sb.append(", refused by the TUN device ").append(writeFailed);
            }
            if (d.remoteChecksums() > 0) {
                sb.append(", remote checksums finished ").append(d.remoteChecksums());
            }
            parts.add(sb.toString());
        }
        return String.join("; ", parts);
    }

    private static String addresses(int[] a) {
        List<String> s = new ArrayList<>();
        for (int v : a) {
            s.add(IpAddr.v4(v).toString());
        }
        return String.join(", ", s);
    }

    /** The sysctls a tunnel real server needs, read from /proc (in this network namespace). */
    static final class SysctlAdvice {
        private SysctlAdvice() {
        }

        /**
         * Turns reverse-path filtering off on the TUN device (decapsulated packets arrive there from clients the
         * routing table reaches elsewhere) and returns what else an administrator must change, one line each.
         */
        static List<String> check(String device) {
            List<String> out = new ArrayList<>();
            Path conf = Path.of("/proc/sys/net/ipv4/conf");
            try {
                Files.writeString(conf.resolve(device).resolve("rp_filter"), "0");
            } catch (IOException | RuntimeException e) {
                out.add("could not turn rp_filter off on " + device + ": " + e.getMessage());
            }
            if ("1".equals(read(conf.resolve("all/rp_filter")))) {
                out.add("net.ipv4.conf.all.rp_filter is 1 (strict): the kernel will drop every decapsulated packet"
                        + " (its source is routed through another interface); set it to 2 (loose) or 0");
            }
            if ("0".equals(read(conf.resolve("all/arp_ignore")))) {
                out.add("net.ipv4.conf.all.arp_ignore is 0: this host answers ARP for the VIPs on every interface,"
                        + " which steals the VIP from the director on a shared segment; set arp_ignore=1 and"
                        + " arp_announce=2 (all and the interface facing the director)");
            }
            return out;
        }

        private static String read(Path p) {
            try {
                return Files.readString(p).strip();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
