package org.jvs.cli;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.model.TunnelType;

/**
 * Parses an ipvsadm command line (without the program name) into an {@link IpvsadmCommand}, with ipvsadm
 * 1.31's grammar, defaults and checks:
 *
 * <ul>
 *   <li>the first option is the command ({@code -A -E -D -C -a -e -d -L -l -Z -S -R --set}, or JVS's
 *       {@code --where}; {@code -h}, {@code -v}); options follow in any order, long ones as {@code --name value}
 *       or {@code --name=value}, short ones bundled ({@code -Ln}) or with attached values ({@code -w3});</li>
 *   <li>{@code -p} takes an optional timeout (default 360): the next word is taken only if it does not
 *       start with {@code -};</li>
 *   <li>which options each command requires, allows or forbids follows ipvsadm's table, with its messages
 *       ("You need to supply the 'real-server' option for the 'add-server' command");</li>
 *   <li>addresses are numeric only: {@code 10.0.0.1[:port]}, {@code [2001:db8::1]:port} or a bare IPv6
 *       address; host and port names are refused, since JVS never resolves names on the control path.</li>
 * </ul>
 *
 * Every error is a {@link UsageException}; nothing is changed anywhere by parsing.
 */
public final class IpvsadmParser {

    /** ipvsadm's upper bound for persistence and {@code --set} timeouts: 31 days. */
    public static final int MAX_TIMEOUT = 86400 * 31;

    private IpvsadmParser() {
    }

    public static IpvsadmCommand parse(String... argv) {
        return parse(List.of(argv));
    }

    public static IpvsadmCommand parse(List<String> argv) {
        if (argv.isEmpty()) {
            // ipvsadm with no argument lists the table.
            return new IpvsadmCommand.List(null, false, false, false, false, false, false, false, false, false,
                    false, true, false);
        }
        return new Parse(argv).run();
    }

    // ======================================================================================
    // Commands and options
    // ======================================================================================

    /** Commands, with the names ipvsadm uses in its messages. */
    private enum Cmd {
        ADD("add-service"), EDIT("edit-service"), DEL("delete-service"), FLUSH("flush"), LIST("list"),
        ADDDEST("add-server"), DELDEST("delete-server"), EDITDEST("edit-server"), SET("set"),
        RESTORE("restore"), SAVE("save"), ZERO("zero"), WHERE("where"), HELP("help"), VERSION("version"),
        STARTDAEMON("start-daemon"), STOPDAEMON("stop-daemon"), DEFENSE("defense");

        final String label;

        Cmd(String label) {
            this.label = label;
        }
    }

    /** Options that the legality check knows, in the order it checks them (ipvsadm's, then JVS's). */
    private enum Opt {
        NUMERIC("numeric"), CONNECTION("connection"), SERVICE("service-address"), SCHEDULER("scheduler"),
        PERSISTENT("persistent"), NETMASK("netmask"), SERVER("real-server"), FORWARD("forwarding-method"),
        WEIGHT("weight"), UTHRESHOLD("u-threshold"), LTHRESHOLD("l-threshold"), TIMEOUT("timeout"),
        DAEMON("daemon"), STATS("stats"), RATE("rate"), THRESHOLDS("thresholds"),
        PERSISTENTCONN("persistent-conn"), NOSORT("nosort"), EXACT("exact"), ONEPACKET("ops"),
        SCHED_FLAGS("sched-flags"), TUN_INFO("tun-info"), TUN_TYPE("tun-type"), TUN_PORT("tun-port"),
        TUN_NOCSUM("tun-nocsum"), TUN_CSUM("tun-csum"), TUN_REMCSUM("tun-remcsum"),
        MCAST_IFN("mcast-interface"), SYNCID("syncid"), SYNC_MAXLEN("sync-maxlen"), MCAST_GROUP("mcast-group"),
        MCAST_PORT("mcast-port"), MCAST_TTL("mcast-ttl"),
        ENGINE("engine"), PROXY_PROTOCOL("proxy-protocol"), JSON("json"), MARK("mark"), HEALTH("health"),
        SYNC_VERSION("sync-version");

        final String label;

        Opt(String label) {
            this.label = label;
        }
    }

    /** What each command requires, allows, and allows only one of; every other option is illegal with it. */
    private record Rule(Set<Opt> required, Set<Opt> optional, Set<Opt> exclusive) {
    }

    private static final Map<Cmd, Rule> RULES = new HashMap<>();

    static {
        Set<Opt> none = EnumSet.noneOf(Opt.class);
        Rule service = new Rule(EnumSet.of(Opt.SERVICE), EnumSet.of(Opt.SCHEDULER, Opt.PERSISTENT, Opt.NETMASK,
                Opt.ONEPACKET, Opt.SCHED_FLAGS, Opt.ENGINE), none);
        Rule server = new Rule(EnumSet.of(Opt.SERVICE, Opt.SERVER), EnumSet.of(Opt.FORWARD, Opt.WEIGHT,
                Opt.UTHRESHOLD, Opt.LTHRESHOLD, Opt.TUN_TYPE, Opt.TUN_PORT, Opt.TUN_NOCSUM, Opt.TUN_CSUM,
                Opt.TUN_REMCSUM, Opt.PROXY_PROTOCOL), none);
        RULES.put(Cmd.ADD, service);
        RULES.put(Cmd.EDIT, service);
        RULES.put(Cmd.DEL, new Rule(EnumSet.of(Opt.SERVICE), none, none));
        RULES.put(Cmd.FLUSH, new Rule(none, none, none));
        RULES.put(Cmd.LIST, new Rule(none, EnumSet.of(Opt.NUMERIC, Opt.STATS, Opt.RATE, Opt.THRESHOLDS,
                Opt.PERSISTENTCONN, Opt.NOSORT, Opt.EXACT, Opt.TUN_INFO, Opt.JSON, Opt.HEALTH),
                EnumSet.of(Opt.CONNECTION, Opt.SERVICE, Opt.TIMEOUT, Opt.DAEMON)));
        RULES.put(Cmd.ADDDEST, server);
        RULES.put(Cmd.EDITDEST, server);
        RULES.put(Cmd.DELDEST, new Rule(EnumSet.of(Opt.SERVICE, Opt.SERVER), none, none));
        RULES.put(Cmd.SET, new Rule(none, none, none));
        RULES.put(Cmd.DEFENSE, new Rule(none, EnumSet.of(Opt.JSON), none));
        RULES.put(Cmd.RESTORE, new Rule(none, none, none));
        RULES.put(Cmd.SAVE, new Rule(none, EnumSet.of(Opt.NUMERIC), none));
        RULES.put(Cmd.ZERO, new Rule(none, EnumSet.of(Opt.SERVICE), none));
        RULES.put(Cmd.WHERE, new Rule(none, EnumSet.of(Opt.JSON, Opt.MARK), none));
        RULES.put(Cmd.STARTDAEMON, new Rule(none, EnumSet.of(Opt.MCAST_IFN, Opt.SYNCID, Opt.SYNC_MAXLEN, Opt.MCAST_GROUP,
                Opt.MCAST_PORT, Opt.MCAST_TTL, Opt.SYNC_VERSION), none));
        RULES.put(Cmd.STOPDAEMON, new Rule(none, none, none));
    }

    private enum Arg { NONE, REQUIRED, OPTIONAL, THREE }

    /** One spelling of an option: its long name, short letter (0 for none) and what it stands for. */
    private record Def(String longName, char shortName, Arg arg, Object key) {
    }

    /** Tokens that are not in {@link Opt} but still mean something. */
    private enum Special { TCP, UDP, SCTP, FWMARK, IPV6, SORT, FULLNAT, GATEWAY, MASQ, IPIP, UNSUPPORTED }

    private static final Map<String, Def> LONG = new HashMap<>();
    private static final Map<Character, Def> SHORT = new HashMap<>();

    private static void def(String longName, char shortName, Arg arg, Object key) {
        Def d = new Def(longName, shortName, arg, key);
        if (longName != null) {
            LONG.put(longName, d);
        }
        if (shortName != 0) {
            SHORT.put(shortName, d);
        }
    }

    static {
        def("add-service", 'A', Arg.NONE, Cmd.ADD);
        def("edit-service", 'E', Arg.NONE, Cmd.EDIT);
        def("delete-service", 'D', Arg.NONE, Cmd.DEL);
        def("clear", 'C', Arg.NONE, Cmd.FLUSH);
        def("list", 'L', Arg.NONE, Cmd.LIST);
        def(null, 'l', Arg.NONE, Cmd.LIST);
        def("zero", 'Z', Arg.NONE, Cmd.ZERO);
        def("add-server", 'a', Arg.NONE, Cmd.ADDDEST);
        def("edit-server", 'e', Arg.NONE, Cmd.EDITDEST);
        def("delete-server", 'd', Arg.NONE, Cmd.DELDEST);
        def("set", (char) 0, Arg.NONE, Cmd.SET);
        def("defense", (char) 0, Arg.NONE, Cmd.DEFENSE);
        def("help", 'h', Arg.NONE, Cmd.HELP);
        def("version", 'v', Arg.NONE, Cmd.VERSION);
        def(null, 'V', Arg.NONE, Cmd.VERSION);
        def("restore", 'R', Arg.NONE, Cmd.RESTORE);
        def("save", 'S', Arg.NONE, Cmd.SAVE);
        def("where", (char) 0, Arg.THREE, Cmd.WHERE);
        def("start-daemon", (char) 0, Arg.REQUIRED, Cmd.STARTDAEMON);
        def("stop-daemon", (char) 0, Arg.REQUIRED, Cmd.STOPDAEMON);

        def("tcp-service", 't', Arg.REQUIRED, Special.TCP);
        def("udp-service", 'u', Arg.REQUIRED, Special.UDP);
        def("sctp-service", (char) 0, Arg.REQUIRED, Special.SCTP);
        def("fwmark-service", 'f', Arg.REQUIRED, Special.FWMARK);
        def("scheduler", 's', Arg.REQUIRED, Opt.SCHEDULER);
        def("persistent", 'p', Arg.OPTIONAL, Opt.PERSISTENT);
        def("netmask", 'M', Arg.REQUIRED, Opt.NETMASK);
        def("real-server", 'r', Arg.REQUIRED, Opt.SERVER);
        def("masquerading", 'm', Arg.NONE, Special.MASQ);
        def("ipip", 'i', Arg.NONE, Special.IPIP);
        def("gatewaying", 'g', Arg.NONE, Special.GATEWAY);
        def("fullnat", (char) 0, Arg.NONE, Special.FULLNAT);
        def("weight", 'w', Arg.REQUIRED, Opt.WEIGHT);
        def("u-threshold", 'x', Arg.REQUIRED, Opt.UTHRESHOLD);
        def("l-threshold", 'y', Arg.REQUIRED, Opt.LTHRESHOLD);
        def("numeric", 'n', Arg.NONE, Opt.NUMERIC);
        def("connection", 'c', Arg.NONE, Opt.CONNECTION);
        def("timeout", (char) 0, Arg.NONE, Opt.TIMEOUT);
        def("daemon", (char) 0, Arg.NONE, Opt.DAEMON);
        def("stats", (char) 0, Arg.NONE, Opt.STATS);
        def("rate", (char) 0, Arg.NONE, Opt.RATE);
        def("thresholds", (char) 0, Arg.NONE, Opt.THRESHOLDS);
        def("persistent-conn", (char) 0, Arg.NONE, Opt.PERSISTENTCONN);
        def("nosort", (char) 0, Arg.NONE, Opt.NOSORT);
        def("sort", (char) 0, Arg.NONE, Special.SORT);
        def("exact", 'X', Arg.NONE, Opt.EXACT);
        def("ipv6", '6', Arg.NONE, Special.IPV6);
        def("ops", 'o', Arg.NONE, Opt.ONEPACKET);
        def("sched-flags", 'b', Arg.REQUIRED, Opt.SCHED_FLAGS);
        def("tun-info", (char) 0, Arg.NONE, Opt.TUN_INFO);
        def("tun-type", (char) 0, Arg.REQUIRED, Opt.TUN_TYPE);
        def("tun-port", (char) 0, Arg.REQUIRED, Opt.TUN_PORT);
        def("tun-nocsum", (char) 0, Arg.NONE, Opt.TUN_NOCSUM);
        def("tun-csum", (char) 0, Arg.NONE, Opt.TUN_CSUM);
        def("tun-remcsum", (char) 0, Arg.NONE, Opt.TUN_REMCSUM);
        def("pe", (char) 0, Arg.REQUIRED, Special.UNSUPPORTED);
        def("mcast-interface", (char) 0, Arg.REQUIRED, Opt.MCAST_IFN);
        def("syncid", (char) 0, Arg.REQUIRED, Opt.SYNCID);
        def("mcast-group", (char) 0, Arg.REQUIRED, Opt.MCAST_GROUP);
        def("mcast-port", (char) 0, Arg.REQUIRED, Opt.MCAST_PORT);
        def("mcast-ttl", (char) 0, Arg.REQUIRED, Opt.MCAST_TTL);
        def("sync-maxlen", (char) 0, Arg.REQUIRED, Opt.SYNC_MAXLEN);
        def("sync-version", (char) 0, Arg.REQUIRED, Opt.SYNC_VERSION);
        // JVS extras: long options only, so they can never clash with a future ipvsadm letter.
        def("engine", (char) 0, Arg.REQUIRED, Opt.ENGINE);
        def("proxy-protocol", (char) 0, Arg.REQUIRED, Opt.PROXY_PROTOCOL);
        def("json", (char) 0, Arg.NONE, Opt.JSON);
        def("mark", (char) 0, Arg.REQUIRED, Opt.MARK);
        def("health", (char) 0, Arg.NONE, Opt.HEALTH);
    }

    /** Every long option ipvsadm's parser knows, without the dashes (the man page and completion are checked against it). */
    public static java.util.Set<String> longOptions() {
        return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(LONG.keySet()));
    }

    /** Every one-letter option. */
    public static java.util.Set<Character> shortOptions() {
        return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(SHORT.keySet()));
    }

    private enum Fwd { GATEWAY, MASQ, IPIP, FULLNAT }

    // ======================================================================================
    // One parse
    // ======================================================================================

    private static final class Parse {
        private final List<String> argv;
        private int next;
        private Cmd cmd;
        private final EnumSet<Opt> given = EnumSet.noneOf(Opt.class);
        private final List<String> positional = new ArrayList<>();

        // sync daemons (ipvsadm's defaults: interface eth0, sync ID 0; the rest is the kernel's)
        private String daemonState;
        private String mcastInterface = "eth0";
        private int syncId;
        private int syncMaxlen;
        private IpAddr mcastGroup;
        private int mcastPort;
        private int mcastTtl;
        private int syncVersion = -1;

        // service
        private Protocol protocol;
        private IpAddr serviceAddress;
        private Integer servicePort;
        private long fwmark;
        private boolean fwmarkV6;
        private String scheduler;
        private int persistTimeout;
        private String netmask;
        private String schedFlags;
        private Engine engine = Engine.SOCKET;
        // server
        private IpAddr serverAddress;
        private Integer serverPort;
        private Fwd fwd = Fwd.GATEWAY;
        private int weight = 1;
        private int upper;
        private int lower;
        private TunnelType tunType = TunnelType.IPIP;
        private int tunPort;
        private ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
        // where
        private String[] whereArgs;
        private long mark;

        Parse(List<String> argv) {
            this.argv = argv;
        }

        IpvsadmCommand run() {
            boolean endOfOptions = false;
            while (next < argv.size()) {
                String a = argv.get(next++);
                if (a == null) {
                    throw new UsageException("null argument");
                }
                if (endOfOptions || a.length() < 2 || a.charAt(0) != '-') {
                    positional.add(a);
                } else if (a.equals("--")) {
                    endOfOptions = true;
                } else if (a.startsWith("--")) {
                    longOption(a);
                } else {
                    shortOptions(a);
                }
                if (cmd == Cmd.HELP) {
                    return new IpvsadmCommand.Help();
                }
                if (cmd == Cmd.VERSION) {
                    return new IpvsadmCommand.Version();
                }
            }
            if (cmd == null) {
                throw new UsageException("no command specified (one of -A -E -D -C -a -e -d -L -Z -S -R --set --where)");
            }
            int[] timeouts = cmd == Cmd.SET ? setTimeouts() : null;
            IpvsadmCommand.Defense defense = cmd == Cmd.DEFENSE ? defense() : null;
            if (!positional.isEmpty()) {
                throw new UsageException("unexpected argument " + positional.getFirst());
            }
            Set<SchedFlag> flags = schedFlags == null ? Set.of() : schedFlags();
            check();
            return defense != null ? defense.withJson(has(Opt.JSON)) : build(timeouts, flags);
        }

        // ---------------------------------------------------------------- scanning

        private void longOption(String a) {
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Def d = LONG.get(name);
            if (d == null) {
                throw new UsageException(a + ": unknown option");
            }
            switch (d.arg) {
                case NONE -> {
                    if (value != null) {
                        throw new UsageException("--" + name + ": option takes no value");
                    }
                }
                case REQUIRED -> {
                    if (value == null) {
                        value = requiredValue("--" + name);
                    }
                }
                case OPTIONAL -> {
                    if (value == null) {
                        value = optionalValue();
                    }
                }
                case THREE -> {
                    if (value != null) {
                        throw new UsageException("--" + name + " takes three values: PROTO CIP:CPORT VIP:VPORT");
                    }
                    whereArgs = new String[3];
                    for (int i = 0; i < 3; i++) {
                        if (next >= argv.size()) {
                            throw new UsageException("--" + name + " needs three values: PROTO CIP:CPORT VIP:VPORT");
                        }
                        whereArgs[i] = argv.get(next++);
                    }
                }
            }
            apply(d, "--" + name, value);
        }

        private void shortOptions(String a) {
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                Def d = SHORT.get(c);
                if (d == null) {
                    throw new UsageException("-" + c + ": unknown option");
                }
                String rest = a.substring(k + 1);
                switch (d.arg) {
                    case NONE -> {
                        apply(d, "-" + c, null);
                        continue;
                    }
                    case REQUIRED -> apply(d, "-" + c, rest.isEmpty() ? requiredValue("-" + c) : rest);
                    case OPTIONAL -> apply(d, "-" + c, rest.isEmpty() ? optionalValue() : rest);
                    case THREE -> throw new AssertionError("no short option takes three values");
                }
                return; // the value used up the rest of the word
            }
        }

        private String requiredValue(String option) {
            if (next >= argv.size()) {
                throw new UsageException(option + ": missing argument");
            }
            return argv.get(next++);
        }

        /** {@code -p [timeout]}: the next word is the value only if it does not look like an option. */
        private String optionalValue() {
            if (next < argv.size() && !argv.get(next).startsWith("-")) {
                return argv.get(next++);
            }
            return null;
        }

        private void apply(Def d, String spelled, String value) {
            if (d.key instanceof Cmd c) {
                if (cmd != null) {
                    throw new UsageException("multiple commands specified");
                }
                cmd = c;
                if (c == Cmd.STARTDAEMON || c == Cmd.STOPDAEMON) {
                    if (!value.equals("master") && !value.equals("backup")) {
                        throw new UsageException("illegal " + c.label + " parameter specified: '" + value + "' (master or backup)");
                    }
                    daemonState = value;
                }
                return;
            }
            if (cmd == null) {
                throw new UsageException("no command specified before " + spelled
                        + " (the first option must be one of -A -E -D -C -a -e -d -L -Z -S -R --set --where)");
            }
            if (d.key instanceof Special s) {
                special(s, spelled, value);
            } else {
                option((Opt) d.key, value);
            }
        }

        private void set(Opt o) {
            if (!given.add(o)) {
                throw new UsageException("multiple '" + o.label + "' options specified");
            }
        }

        private void special(Special s, String spelled, String value) {
            switch (s) {
                case TCP, UDP, SCTP -> {
                    set(Opt.SERVICE);
                    protocol = s == Special.TCP ? Protocol.TCP : s == Special.UDP ? Protocol.UDP : Protocol.SCTP;
                    AddrPort ap = parseAddrPort(value);
                    if (ap == null) {
                        throw new UsageException("illegal virtual server address[:port] specified" + hint(value));
                    }
                    serviceAddress = ap.address;
                    servicePort = ap.port;
                }
                case FWMARK -> {
                    set(Opt.SERVICE);
                    fwmark = parseFwmark(value);
                }
                case IPV6 -> {
                    if (fwmark == 0) {
                        throw new UsageException("-6 used before -f");
                    }
                    fwmarkV6 = true;
                }
                case SORT -> {
                    // Sorting is the default; --sort is kept for old scripts and does nothing.
                }
                case GATEWAY, MASQ, IPIP, FULLNAT -> {
                    set(Opt.FORWARD);
                    fwd = Fwd.valueOf(s.name());
                }
                case UNSUPPORTED -> throw new UsageException(spelled + ": option not supported by JVS");
            }
        }

        private void option(Opt o, String value) {
            set(o);
            switch (o) {
                case SCHEDULER -> scheduler = value;
                case PERSISTENT -> persistTimeout = value == null ? Persistence.DEFAULT_TIMEOUT : timeout(value, 1);
                case NETMASK -> netmask = value;
                case SERVER -> {
                    AddrPort ap = parseAddrPort(value);
                    if (ap == null) {
                        throw new UsageException("illegal real server address[:port] specified" + hint(value));
                    }
                    serverAddress = ap.address;
                    serverPort = ap.port;
                }
                case WEIGHT -> weight = number(value, 0, DestSpec.MAX_WEIGHT, "illegal weight specified");
                case UTHRESHOLD -> upper = number(value, 0, Integer.MAX_VALUE, "illegal u_threshold specified");
                case LTHRESHOLD -> lower = number(value, 0, Integer.MAX_VALUE, "illegal l_threshold specified");
                case SCHED_FLAGS -> schedFlags = value;
                case TUN_TYPE -> tunType = switch (value) {
                    case "ipip" -> TunnelType.IPIP;
                    case "gue" -> TunnelType.GUE;
                    case "gre" -> TunnelType.GRE;
                    default -> throw new UsageException("illegal tunnel type specified");
                };
                case TUN_PORT -> tunPort = number(value, 1, 65535, "illegal tunnel port specified");
                case ENGINE -> {
                    try {
                        engine = Engine.byName(value);
                    } catch (ConfigException e) {
                        throw new UsageException("illegal engine specified: '" + value + "' (socket, packet)");
                    }
                }
                case PROXY_PROTOCOL -> {
                    try {
                        proxyProtocol = ProxyProtocol.byName(value);
                    } catch (ConfigException e) {
                        throw new UsageException("illegal PROXY protocol version specified: '" + value + "' (none, v1, v2)");
                    }
                }
                case MARK -> mark = parseFwmark(value);
                case MCAST_IFN -> {
                    if (value.isEmpty() || value.length() > 15) {
                        throw new UsageException("illegal mcast-interface specified: '" + value + "' (1 to 15 characters)");
                    }
                    mcastInterface = value;
                }
                case SYNCID -> syncId = number(value, 0, 255, "illegal syncID specified");
                case SYNC_MAXLEN -> syncMaxlen = number(value, 1, 65535 - 28, "illegal sync-maxlen specified");
                case MCAST_GROUP -> {
                    IpAddr g;
                    try {
                        g = IpAddr.parse(value);
                    } catch (ConfigException e) {
                        throw new UsageException("illegal multicast group specified: '" + value + "'");
                    }
                    if (g.v6() || (g.v4Int() >>> 28) != 0xE) {
                        throw new UsageException("illegal multicast group specified: '" + value + "' (an IPv4 multicast address, 224.0.0.0/4)");
                    }
                    mcastGroup = g;
                }
                case MCAST_PORT -> mcastPort = number(value, 1, 65535, "illegal multicast port specified");
                case MCAST_TTL -> mcastTtl = number(value, 1, 255, "illegal multicast TTL specified");
                case SYNC_VERSION -> syncVersion = number(value, 0, 1, "illegal sync version specified (0 or 1)");
                default -> {
                    // a flag: being in 'given' is all it needs
                }
            }
        }

        // ---------------------------------------------------------------- after the scan

        /** {@code --defense}'s {@code NAME=VALUE} arguments (sysctl's names; each at most once). */
        private IpvsadmCommand.Defense defense() {
            Integer dropEntry = null;
            Integer dropPacket = null;
            Integer secureTcp = null;
            Long amemthresh = null;
            Integer amDroprate = null;
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (!positional.isEmpty()) {
                String a = positional.removeFirst();
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq).replace('-', '_');
                if (eq < 0) {
                    throw new UsageException("--defense: '" + a + "' is not NAME=VALUE (drop_entry, drop_packet, secure_tcp,"
                            + " amemthresh, am_droprate)");
                }
                if (!seen.add(name)) {
                    throw new UsageException("--defense: " + name + " given twice");
                }
                String v = a.substring(eq + 1);
                switch (name) {
                    case "drop_entry" -> dropEntry = (int) defenseNumber(name, v, 0, 3);
                    case "drop_packet" -> dropPacket = (int) defenseNumber(name, v, 0, 3);
                    case "secure_tcp" -> secureTcp = (int) defenseNumber(name, v, 0, 3);
                    case "amemthresh" -> amemthresh = defenseNumber(name, v, 0, Long.MAX_VALUE / 4096);
                    case "am_droprate" -> amDroprate = (int) defenseNumber(name, v, 1, Integer.MAX_VALUE);
                    default -> throw new UsageException("--defense: unknown setting '" + name + "' (drop_entry, drop_packet,"
                            + " secure_tcp, amemthresh, am_droprate)");
                }
            }
            return new IpvsadmCommand.Defense(dropEntry, dropPacket, secureTcp, amemthresh, amDroprate, false);
        }

        private static long defenseNumber(String name, String v, long min, long max) {
            try {
                long n = Long.parseLong(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new UsageException("--defense: " + name + "=" + v + ": a number in " + min + ".." + max
                    + (max == 3 ? " (0 off, 1 automatic, 2 automatic and active now, 3 always)" : ""));
        }

        private int[] setTimeouts() {
            if (positional.size() < 3) {
                throw new UsageException("--set option requires 3 timeout values");
            }
            int[] t = new int[3];
            for (int i = 0; i < 3; i++) {
                t[i] = timeout(positional.removeFirst(), 0);
            }
            return t;
        }

        /** ipvsadm keeps the bits; JVS can hold the two that its schedulers read (sh/mh fallback and port). */
        private Set<SchedFlag> schedFlags() {
            String sched = scheduler == null || scheduler.isEmpty() ? ServiceSpec.DEFAULT_SCHEDULER : scheduler;
            boolean mh = sched.equals("mh");
            Set<SchedFlag> out = EnumSet.noneOf(SchedFlag.class);
            for (String flag : schedFlags.split(",")) {
                if (flag.isEmpty()) {
                    continue;
                }
                int bit = switch (flag) {
                    case "flag-1" -> 0;
                    case "flag-2" -> 1;
                    case "flag-3" -> 2;
                    case "sh-fallback", "sh-port" -> {
                        if (!sched.equals("sh")) {
                            throw new UsageException("incompatible scheduler flag `" + flag + "'");
                        }
                        yield flag.equals("sh-fallback") ? 0 : 1;
                    }
                    case "mh-fallback", "mh-port" -> {
                        if (!mh) {
                            throw new UsageException("incompatible scheduler flag `" + flag + "'");
                        }
                        yield flag.equals("mh-fallback") ? 0 : 1;
                    }
                    default -> throw new UsageException("invalid scheduler flag `" + flag + "'");
                };
                if (bit == 2) {
                    throw new UsageException("scheduler flag `flag-3' is not supported by JVS (no scheduler reads it)");
                }
                out.add(bit == 0 ? (mh ? SchedFlag.MH_FALLBACK : SchedFlag.SH_FALLBACK)
                        : (mh ? SchedFlag.MH_PORT : SchedFlag.SH_PORT));
            }
            if (out.isEmpty()) {
                throw new UsageException("invalid scheduler flag `" + schedFlags + "'");
            }
            return out;
        }

        /** Which options the command needs, allows, and allows one of; ipvsadm's order and wording. */
        private void check() {
            Rule r = RULES.get(cmd);
            Opt exclusive = null;
            for (Opt o : Opt.values()) {
                if (!given.contains(o)) {
                    if (r.required.contains(o)) {
                        throw new UsageException("You need to supply the '" + o.label + "' option for the '"
                                + cmd.label + "' command");
                    }
                    continue;
                }
                if (r.exclusive.contains(o)) {
                    if (exclusive != null) {
                        throw new UsageException("The option '" + o.label + "' conflicts with the '" + exclusive.label
                                + "' option in the '" + cmd.label + "' command");
                    }
                    exclusive = o;
                } else if (!r.required.contains(o) && !r.optional.contains(o)) {
                    throw new UsageException("Illegal '" + o.label + "' option with the '" + cmd.label + "' command");
                }
            }
        }

        private IpvsadmCommand build(int[] timeouts, Set<SchedFlag> flags) {
            try {
                return switch (cmd) {
                    case ADD -> new IpvsadmCommand.AddService(serviceSpec(flags));
                    case EDIT -> new IpvsadmCommand.EditService(serviceSpec(flags), given.contains(Opt.ENGINE));
                    case DEL -> new IpvsadmCommand.DeleteService(serviceKey());
                    case FLUSH -> new IpvsadmCommand.Clear();
                    case LIST -> list();
                    case ADDDEST -> new IpvsadmCommand.AddDest(serviceKey(), destSpec());
                    case EDITDEST -> new IpvsadmCommand.EditDest(serviceKey(), destSpec(), given.contains(Opt.PROXY_PROTOCOL));
                    case DELDEST -> {
                        ServiceKey key = serviceKey();
                        yield new IpvsadmCommand.DeleteDest(key, serverAddress, destPort());
                    }
                    case SET -> new IpvsadmCommand.SetTimeouts(timeouts[0], timeouts[1], timeouts[2]);
                    case RESTORE -> new IpvsadmCommand.Restore(null);
                    case SAVE -> new IpvsadmCommand.Save(given.contains(Opt.NUMERIC));
                    case ZERO -> new IpvsadmCommand.Zero(given.contains(Opt.SERVICE) ? serviceKey() : null);
                    case WHERE -> where();
                    case STARTDAEMON -> new IpvsadmCommand.StartDaemon(daemonState, mcastInterface, syncId, syncMaxlen,
                            mcastGroup, mcastPort, mcastTtl, syncVersion);
                    case STOPDAEMON -> new IpvsadmCommand.StopDaemon(daemonState);
                    case HELP, VERSION, DEFENSE -> throw new AssertionError("handled while scanning");
                };
            } catch (ConfigException e) {
                // The core's records refuse what ipvsadm would have passed to the kernel (a fwmark above
                // 2^31-1, thresholds out of the core's range, ...): still a bad command line.
                throw new UsageException(e.getMessage());
            }
        }

        private ServiceKey serviceKey() {
            if (fwmark != 0) {
                if (fwmark > Integer.MAX_VALUE) {
                    throw new UsageException("fwmark " + fwmark + " is not supported by JVS (at most " + Integer.MAX_VALUE + ")");
                }
                return new ServiceKey.Fwmark((int) fwmark, fwmarkV6);
            }
            return new ServiceKey.Virtual(protocol, serviceAddress, servicePort == null ? 0 : servicePort);
        }

        private ServiceSpec serviceSpec(Set<SchedFlag> flags) {
            ServiceKey key = serviceKey();
            boolean persistent = given.contains(Opt.PERSISTENT);
            if (key instanceof ServiceKey.Virtual v && v.port() == 0 && !persistent) {
                throw new UsageException("Zero port specified for non-persistent service");
            }
            boolean ops = given.contains(Opt.ONEPACKET);
            if (ops && key instanceof ServiceKey.Virtual v && v.protocol() != Protocol.UDP) {
                throw new UsageException("One-Packet Scheduling is only for UDP virtual services");
            }
            Persistence persistence = null;
            if (persistent) {
                int prefix = key.v6() ? 128 : 32;
                if (netmask != null) {
                    prefix = key.v6() ? ipv6Netmask(netmask) : ipv4Netmask(netmask);
                }
                persistence = new Persistence(persistTimeout, prefix);
            } else if (netmask != null) {
                // ipvsadm accepts -M without -p and the kernel ignores it; still reject nonsense.
                if (key.v6()) {
                    ipv6Netmask(netmask);
                } else {
                    ipv4Netmask(netmask);
                }
            }
            String sched = scheduler == null || scheduler.isEmpty() ? ServiceSpec.DEFAULT_SCHEDULER : scheduler;
            return new ServiceSpec(key, sched, persistence, ops, flags, 0, List.of(), engine);
        }

        private int destPort() {
            if (serverPort != null) {
                return serverPort;
            }
            // ipvsadm: a real server given without a port takes the service's (0 for fwmark services).
            return fwmark == 0 && servicePort != null ? servicePort : 0;
        }

        private DestSpec destSpec() {
            ServiceKey key = serviceKey();
            if (serverAddress.v6() != key.v6() && fwd != Fwd.IPIP) {
                throw new UsageException("Different address family is allowed only for tunneling servers");
            }
            boolean tunnelOptions = given.contains(Opt.TUN_TYPE) || given.contains(Opt.TUN_PORT)
                    || given.contains(Opt.TUN_NOCSUM) || given.contains(Opt.TUN_CSUM) || given.contains(Opt.TUN_REMCSUM);
            if (tunnelOptions && fwd != Fwd.IPIP) {
                throw new UsageException("Tunnel options conflict with forward method");
            }
            checkTunnelOptions();
            TunnelChecksum checksum = given.contains(Opt.TUN_CSUM) ? TunnelChecksum.CSUM
                    : given.contains(Opt.TUN_REMCSUM) ? TunnelChecksum.REMCSUM : TunnelChecksum.NOCSUM;
            ForwardingMethod method = switch (fwd) {
                case GATEWAY -> ForwardingMethod.DIRECT_ROUTE;
                case MASQ -> ForwardingMethod.NAT;
                case FULLNAT -> ForwardingMethod.FULL_NAT;
                case IPIP -> new ForwardingMethod.Tunnel(tunType, tunType == TunnelType.GUE ? tunPort : 0, checksum);
            };
            return new DestSpec(serverAddress, destPort(), method, weight, upper, lower, proxyProtocol);
        }

        /** Per tunnel type: gue needs a port and takes one checksum option; gre takes one of two; ipip none. */
        private void checkTunnelOptions() {
            Opt[] opts = {Opt.TUN_PORT, Opt.TUN_NOCSUM, Opt.TUN_CSUM, Opt.TUN_REMCSUM};
            // 'r' required, 'x' illegal, '1' at most one of these, ' ' optional
            String allowed = switch (tunType) {
                case IPIP -> "xxxx";
                case GUE -> "r111";
                case GRE -> "x11x";
            };
            Opt first = null;
            for (int i = 0; i < opts.length; i++) {
                char a = allowed.charAt(i);
                if (!given.contains(opts[i])) {
                    if (a == 'r') {
                        throw new UsageException("You need to supply the '" + opts[i].label + "' option for the '"
                                + tunType.ipvsadmName() + "' tunnel type");
                    }
                    continue;
                }
                if (a == 'x') {
                    throw new UsageException("Illegal '" + opts[i].label + "' option with the '"
                            + tunType.ipvsadmName() + "' tunnel type");
                }
                if (a == '1') {
                    if (first != null) {
                        throw new UsageException("The option '" + opts[i].label + "' conflicts with the '" + first.label
                                + "' option in the '" + tunType.ipvsadmName() + "' tunnel type");
                    }
                    first = opts[i];
                }
            }
        }

        private IpvsadmCommand list() {
            if ((has(Opt.CONNECTION) || has(Opt.TIMEOUT) || has(Opt.DAEMON)) && (has(Opt.STATS) || has(Opt.RATE) || has(Opt.THRESHOLDS))
                    || (has(Opt.TIMEOUT) || has(Opt.DAEMON)) && has(Opt.PERSISTENTCONN)) {
                throw new UsageException("options conflicts in the list command");
            }
            return new IpvsadmCommand.List(has(Opt.SERVICE) ? serviceKey() : null, has(Opt.CONNECTION), has(Opt.TIMEOUT),
                    has(Opt.DAEMON), has(Opt.NUMERIC), has(Opt.STATS), has(Opt.RATE), has(Opt.THRESHOLDS),
                    has(Opt.PERSISTENTCONN), has(Opt.TUN_INFO), has(Opt.EXACT), !has(Opt.NOSORT), has(Opt.JSON), has(Opt.HEALTH));
        }

        private IpvsadmCommand where() {
            Protocol p = switch (whereArgs[0].toLowerCase(Locale.ROOT)) {
                case "tcp", "6" -> Protocol.TCP;
                case "udp", "17" -> Protocol.UDP;
                case "sctp", "132" -> Protocol.SCTP;
                default -> throw new UsageException("--where: illegal protocol '" + whereArgs[0] + "' (tcp, udp, sctp)");
            };
            AddrPort client = parseAddrPort(whereArgs[1]);
            if (client == null || client.port == null) {
                throw new UsageException("--where: illegal client address:port '" + whereArgs[1] + "'" + hint(whereArgs[1]));
            }
            AddrPort virtual = parseAddrPort(whereArgs[2]);
            if (virtual == null || virtual.port == null) {
                throw new UsageException("--where: illegal virtual address:port '" + whereArgs[2] + "'" + hint(whereArgs[2]));
            }
            if (client.address.v6() != virtual.address.v6()) {
                throw new UsageException("--where: client and virtual address must be of one address family");
            }
            if (mark > Integer.MAX_VALUE) {
                throw new UsageException("--mark " + mark + " is not supported by JVS (at most " + Integer.MAX_VALUE + ")");
            }
            return new IpvsadmCommand.Where(p, client.address, client.port, virtual.address, virtual.port, (int) mark, has(Opt.JSON));
        }

        private boolean has(Opt o) {
            return given.contains(o);
        }
    }

    // ======================================================================================
    // Values
    // ======================================================================================

    /** An address with its port, or a null port when none was written. */
    record AddrPort(IpAddr address, Integer port) {
    }

    /**
     * {@code a.b.c.d[:port]}, {@code [v6]:port} or a bare IPv6 address; null when it is none of those. A bare
     * IPv6 address has no port (its colons are the address's); brackets require one.
     */
    static AddrPort parseAddrPort(String text) {
        if (text == null || text.isEmpty() || text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        String host;
        String port = null;
        boolean v6;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                return null;
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            v6 = true;
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text;
            v6 = true;
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
            v6 = false;
        }
        IpAddr address;
        try {
            address = IpAddr.parse(host);
        } catch (ConfigException e) {
            return null;
        }
        if (address.v6() != v6) {
            return null;
        }
        Integer p = null;
        if (port != null) {
            p = parseNumber(port, 0, 65535);
            if (p == null) {
                return null;
            }
        }
        return new AddrPort(address, p);
    }

    /** Why an address was refused, when the reason is that it is a name. */
    private static String hint(String text) {
        if (text == null) {
            return "";
        }
        if (text.startsWith("[") && text.endsWith("]")) {
            return ": a bracketed IPv6 address needs a port ([addr]:port); write a bare address for none";
        }
        String host = text;
        String port = null;
        if (!text.startsWith("[") && text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') >= 0) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (host.chars().anyMatch(Character::isLetter) && host.indexOf(':') < 0 && !host.startsWith("[")) {
            return ": '" + host + "' is a host name; JVS takes numeric addresses only and never resolves names";
        }
        if (port != null && !port.isEmpty() && port.chars().anyMatch(Character::isLetter)) {
            return ": '" + port + "' is a port name; JVS takes port numbers only";
        }
        return "";
    }

    private static long parseFwmark(String text) {
        Long v = null;
        if (text != null && !text.isEmpty() && text.length() <= 11 && text.chars().allMatch(Character::isDigit)) {
            v = Long.parseLong(text);
        }
        if (v == null || v <= 0 || v > 0xFFFF_FFFFL) {
            throw new UsageException("invalid fwmark value `" + text + "' specified");
        }
        return v;
    }

    private static int timeout(String text, int min) {
        Integer v = parseNumber(text, min, MAX_TIMEOUT);
        if (v == null) {
            throw new UsageException("invalid timeout value `" + text + "' specified");
        }
        return v;
    }

    private static int number(String text, int min, int max, String error) {
        Integer v = parseNumber(text, min, max);
        if (v == null) {
            throw new UsageException(error);
        }
        return v;
    }

    /** A decimal integer in {@code min..max}, or null. */
    static Integer parseNumber(String text, int min, int max) {
        if (text == null || text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long v = Long.parseLong(text);
        return v >= min && v <= max ? (int) v : null;
    }

    /** {@code -M} for IPv4: a dotted netmask with contiguous ones ({@code 255.255.255.0}) or {@code /24}. */
    static int ipv4Netmask(String text) {
        if (text.startsWith("/")) {
            Integer p = parseNumber(text.substring(1), 0, 32);
            if (p == null) {
                throw new UsageException("illegal virtual server persistent mask specified");
            }
            return p;
        }
        IpAddr mask;
        try {
            mask = IpAddr.parse(text);
        } catch (ConfigException e) {
            throw new UsageException("illegal virtual server persistent mask specified");
        }
        if (mask.v6()) {
            throw new UsageException("illegal virtual server persistent mask specified");
        }
        int bits = mask.v4Int();
        int prefix = Integer.bitCount(bits);
        if (bits != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
            throw new UsageException("illegal virtual server persistent mask specified: "
                    + text + " is not a contiguous netmask");
        }
        return prefix;
    }

    /** {@code -M} for IPv6: a prefix length 1..128 (ipvsadm's form), {@code /64} accepted too. */
    static int ipv6Netmask(String text) {
        Integer p = parseNumber(text.startsWith("/") ? text.substring(1) : text, 1, 128);
        if (p == null) {
            throw new UsageException("illegal ipv6 netmask specified");
        }
        return p;
    }
}
