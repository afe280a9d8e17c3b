package org.jvs.cli;

import org.jvs.core.model.DestSpec;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;

/**
 * One ipvsadm command, parsed and checked: what {@link IpvsadmParser} returns and {@link CommandExecutor}
 * applies. Each record holds the values ipvsadm would send to the kernel, with ipvsadm's defaults already
 * filled in (scheduler wlc, weight 1, direct routing, persistence 360 s).
 */
public sealed interface IpvsadmCommand {

    /**
     * {@code --start-daemon master|backup}: start a connection sync daemon, with ipvsadm's options (interface
     * {@code eth0} and sync ID 0 when not given; 0 in {@code maxLen}, {@code port} and {@code ttl} and a null
     * {@code group} take the kernel's defaults). {@code version} is JVS's {@code --sync-version}: 0 or 1 for the
     * messages this director sends, -1 to keep the configured one (IPVS sets it with the sysctl sync_version).
     */
    record StartDaemon(String state, String mcastInterface, int syncId, int maxLen, IpAddr group, int port, int ttl,
                       int version) implements IpvsadmCommand {
    }

    /**
     * JVS's {@code --defense [NAME=VALUE ...]}: IPVS' DoS defence sysctls ({@code drop_entry}, {@code drop_packet},
     * {@code secure_tcp} 0-3, {@code amemthresh} in 4 KiB pages, {@code am_droprate}), each null when not given;
     * with none given it only lists them. {@code --json} lists them as {@code GET /v1/defense} does.
     */
    record Defense(Integer dropEntry, Integer dropPacket, Integer secureTcp, Long amemthreshPages, Integer amDroprate,
                   boolean json) implements IpvsadmCommand {
        public boolean setsNothing() {
            return dropEntry == null && dropPacket == null && secureTcp == null && amemthreshPages == null && amDroprate == null;
        }

        Defense withJson(boolean j) {
            return new Defense(dropEntry, dropPacket, secureTcp, amemthreshPages, amDroprate, j);
        }
    }

    /** {@code --stop-daemon master|backup}. */
    record StopDaemon(String state) implements IpvsadmCommand {
    }

    /** {@code -A}: add a virtual service. */
    record AddService(ServiceSpec spec) implements IpvsadmCommand {
    }

    /**
     * {@code -E}: replace a service's scheduler, persistence, one-packet flag and scheduler flags, as ipvsadm
     * does (an option left out goes back to its default). What only JVS can say is kept unless given: the
     * engine ({@code engineGiven} false), the Maglev table size and the gs proximity table.
     */
    record EditService(ServiceSpec spec, boolean engineGiven) implements IpvsadmCommand {
    }

    /** {@code -D}. */
    record DeleteService(ServiceKey key) implements IpvsadmCommand {
    }

    /** {@code -C}: remove every service. */
    record Clear() implements IpvsadmCommand {
    }

    /** {@code -a}: add a real server. The DR/TUN rule "port = service port" is the core's to apply. */
    record AddDest(ServiceKey service, DestSpec dest) implements IpvsadmCommand {
    }

    /**
     * {@code -e}: replace a real server's forwarding method, weight and thresholds (left-out options go back
     * to their defaults, as in ipvsadm); the PROXY protocol setting, a JVS extra, is kept unless given.
     */
    record EditDest(ServiceKey service, DestSpec dest, boolean proxyProtocolGiven) implements IpvsadmCommand {
    }

    /** {@code -d}: remove a real server; {@code port} is the service port when {@code -r} had none. */
    record DeleteDest(ServiceKey service, IpAddr address, int port) implements IpvsadmCommand {
    }

    /**
     * {@code -L}/{@code -l}. ipvsadm's precedence decides what is printed: {@code connections}, else one
     * {@code service}, else {@code timeout}, else {@code daemon}, else the whole table; within a service
     * table {@code stats} over {@code rate} over {@code thresholds} over {@code persistentConn} over
     * {@code tunInfo}.
     *
     * @param service  one service to list, or null for all
     * @param numeric  {@code -n}; JVS prints numbers whether or not it is given (it never resolves names)
     * @param exact    {@code --exact}: whole numbers instead of K/M/G/T in {@code --stats}/{@code --rate}
     * @param sort     false with {@code --nosort} (services and servers in the order they were added);
     *                 {@code --sort} is ipvsadm's default and a no-op
     * @param json     JVS extra: the same data as JSON
     * @param health   JVS extra, {@code --health}: each server's health state, last check and effective weight
     */
    record List(ServiceKey service, boolean connections, boolean timeout, boolean daemon, boolean numeric,
                boolean stats, boolean rate, boolean thresholds, boolean persistentConn, boolean tunInfo,
                boolean exact, boolean sort, boolean json, boolean health) implements IpvsadmCommand {

        /** Without {@code --health}: exactly ipvsadm's options. */
        public List(ServiceKey service, boolean connections, boolean timeout, boolean daemon, boolean numeric,
                    boolean stats, boolean rate, boolean thresholds, boolean persistentConn, boolean tunInfo,
                    boolean exact, boolean sort, boolean json) {
            this(service, connections, timeout, daemon, numeric, stats, rate, thresholds, persistentConn, tunInfo, exact, sort, json, false);
        }

        /** {@code ipvsadm -L -n}. */
        public static final List ALL = new List(null, false, false, false, true, false, false, false, false,
                false, false, true, false);
    }

    /** {@code -Z}: zero the counters of one service and its servers, or everything when {@code service} is null. */
    record Zero(ServiceKey service) implements IpvsadmCommand {
    }

    /** {@code -S}: print the table as ipvsadm rules, which {@code -R} reads back. */
    record Save(boolean numeric) implements IpvsadmCommand {
    }

    /**
     * {@code -R}: read rules, one ipvsadm command line each, and apply them in order. The parser cannot read
     * standard input, so it returns {@code Restore(null)}; whoever owns the input supplies it with
     * {@link #withInput}.
     */
    record Restore(String input) implements IpvsadmCommand {
        public Restore withInput(String text) {
            return new Restore(text);
        }
    }

    /** {@code --set tcp tcpfin udp}: 0 keeps a value as it is. */
    record SetTimeouts(int tcp, int tcpfin, int udp) implements IpvsadmCommand {
    }

    /**
     * JVS extra, {@code --where PROTO CIP:CPORT VIP:VPORT [--mark N] [--json]}: which real server would take
     * this new flow now, and why. Moves no state.
     *
     * @param fwmark the firewall mark the packet would carry; 0 for none
     */
    record Where(Protocol protocol, IpAddr client, int clientPort, IpAddr virtual, int virtualPort, int fwmark,
                 boolean json) implements IpvsadmCommand {
    }

    /** {@code -h}/{@code --help}. */
    record Help() implements IpvsadmCommand {
    }

    /** {@code -v}/{@code -V}/{@code --version}. */
    record Version() implements IpvsadmCommand {
    }
}
