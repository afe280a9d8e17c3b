package org.jvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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

class IpvsadmParserTest {

    private static final ServiceKey WEB = tcp("10.0.0.100", 80);
    private static final IpAddr RIP = IpAddr.parse("10.0.0.11");

    private static ServiceKey tcp(String a, int port) {
        return new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse(a), port);
    }

    private static ServiceKey udp(String a, int port) {
        return new ServiceKey.Virtual(Protocol.UDP, IpAddr.parse(a), port);
    }

    private static ServiceSpec spec(ServiceKey key, String sched) {
        return ServiceSpec.of(key, sched);
    }

    private static DestSpec dest(IpAddr a, int port, ForwardingMethod m) {
        return DestSpec.of(a, port, m);
    }

    private static IpvsadmCommand.List list(boolean numeric) {
        return new IpvsadmCommand.List(null, false, false, false, numeric, false, false, false, false, false, false, true, false);
    }

    private static IpvsadmCommand parse(String line) {
        return IpvsadmParser.parse(line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+")));
    }

    static Stream<Arguments> valid() {
        IpvsadmCommand.List n = list(true);
        return Stream.of(
                // services: defaults, each option, long and short spellings, attached values
                Arguments.of("-A -t 10.0.0.100:80", new IpvsadmCommand.AddService(spec(WEB, "wlc"))),
                Arguments.of("-A -t 10.0.0.100:80 -s rr", new IpvsadmCommand.AddService(spec(WEB, "rr"))),
                Arguments.of("--add-service --tcp-service 10.0.0.100:80 --scheduler=rr", new IpvsadmCommand.AddService(spec(WEB, "rr"))),
                Arguments.of("-A -t10.0.0.100:80 -srr", new IpvsadmCommand.AddService(spec(WEB, "rr"))),
                Arguments.of("-At 10.0.0.100:80", new IpvsadmCommand.AddService(spec(WEB, "wlc"))),
                Arguments.of("-A --sctp-service 10.0.0.1:9", new IpvsadmCommand.AddService(
                        spec(new ServiceKey.Virtual(Protocol.SCTP, IpAddr.parse("10.0.0.1"), 9), "wlc"))),
                Arguments.of("-A -u 10.0.0.100:53 -o", new IpvsadmCommand.AddService(spec(udp("10.0.0.100", 53), "wlc").withOnePacket(true))),
                Arguments.of("-A -u 10.0.0.100:53 --ops", new IpvsadmCommand.AddService(spec(udp("10.0.0.100", 53), "wlc").withOnePacket(true))),
                Arguments.of("-A -t 10.0.0.100:80 -p", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(360, 32)))),
                Arguments.of("-A -t 10.0.0.100:80 -p 600", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(600, 32)))),
                Arguments.of("-A -t 10.0.0.100:80 -p600", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(600, 32)))),
                Arguments.of("-A -t 10.0.0.100:80 --persistent=600", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(600, 32)))),
                Arguments.of("-A -t 10.0.0.100:80 -p -s rr", new IpvsadmCommand.AddService(spec(WEB, "rr").withPersistence(new Persistence(360, 32)))),
                Arguments.of("-A -t 10.0.0.100:80 -p -M 255.255.255.0", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(360, 24)))),
                Arguments.of("-A -t 10.0.0.100:80 -M /16 -p 30", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(30, 16)))),
                Arguments.of("-A -t 10.0.0.100:80 -p -M 0.0.0.0", new IpvsadmCommand.AddService(spec(WEB, "wlc").withPersistence(new Persistence(360, 0)))),
                Arguments.of("-A -t 10.0.0.100:0 -p", new IpvsadmCommand.AddService(ServiceSpec.of(tcp("10.0.0.100", 0), "wlc", new Persistence(360, 32)))),
                Arguments.of("-A -t 10.0.0.100 -p", new IpvsadmCommand.AddService(ServiceSpec.of(tcp("10.0.0.100", 0), "wlc", new Persistence(360, 32)))),
                Arguments.of("-A -t [2001:db8::1]:80 -p -M 64", new IpvsadmCommand.AddService(spec(tcp("2001:db8::1", 80), "wlc").withPersistence(new Persistence(360, 64)))),
                Arguments.of("-A -t [2001:db8::1]:80 -p", new IpvsadmCommand.AddService(spec(tcp("2001:db8::1", 80), "wlc").withPersistence(new Persistence(360, 128)))),
                Arguments.of("-A -t 2001:db8::1 -p", new IpvsadmCommand.AddService(ServiceSpec.of(tcp("2001:db8::1", 0), "wlc", new Persistence(360, 128)))),
                Arguments.of("-A -f 1", new IpvsadmCommand.AddService(spec(new ServiceKey.Fwmark(1, false), "wlc"))),
                Arguments.of("-A --fwmark-service 2 -6 -p", new IpvsadmCommand.AddService(spec(new ServiceKey.Fwmark(2, true), "wlc").withPersistence(new Persistence(360, 128)))),
                Arguments.of("-A -f 1 -o", new IpvsadmCommand.AddService(spec(new ServiceKey.Fwmark(1, false), "wlc").withOnePacket(true))),
                Arguments.of("-A -t 10.0.0.100:80 -s sh -b sh-fallback,sh-port", new IpvsadmCommand.AddService(spec(WEB, "sh").withFlags(Set.of(SchedFlag.SH_FALLBACK, SchedFlag.SH_PORT)))),
                Arguments.of("-A -t 10.0.0.100:80 -s mh --sched-flags mh-port", new IpvsadmCommand.AddService(spec(WEB, "mh").withFlags(Set.of(SchedFlag.MH_PORT)))),
                Arguments.of("-A -t 10.0.0.100:80 -s mh -b flag-1", new IpvsadmCommand.AddService(spec(WEB, "mh").withFlags(Set.of(SchedFlag.MH_FALLBACK)))),
                Arguments.of("-A -t 10.0.0.100:80 -b flag-2", new IpvsadmCommand.AddService(spec(WEB, "wlc").withFlags(Set.of(SchedFlag.SH_PORT)))),
                Arguments.of("-A -t 10.0.0.100:80 --engine packet", new IpvsadmCommand.AddService(spec(WEB, "wlc").withEngine(Engine.PACKET))),
                Arguments.of("-A -t 10.0.0.100:80 --sort", new IpvsadmCommand.AddService(spec(WEB, "wlc"))),
                Arguments.of("-E -t 10.0.0.100:80 -s rr", new IpvsadmCommand.EditService(spec(WEB, "rr"), false)),
                Arguments.of("-E -t 10.0.0.100:80 --engine socket", new IpvsadmCommand.EditService(spec(WEB, "wlc"), true)),
                Arguments.of("-D -t 10.0.0.100:80", new IpvsadmCommand.DeleteService(WEB)),
                Arguments.of("--delete-service -f 9 -6", new IpvsadmCommand.DeleteService(new ServiceKey.Fwmark(9, true))),
                Arguments.of("-C", new IpvsadmCommand.Clear()),
                Arguments.of("--clear", new IpvsadmCommand.Clear()),
                // real servers
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11", new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.DIRECT_ROUTE))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11:8080 -m -w 3 -x 100 -y 50", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 8080, ForwardingMethod.NAT).withWeight(3).withThresholds(100, 50))),
                Arguments.of("--add-server -t 10.0.0.100:80 --real-server 10.0.0.11 --masquerading --weight 0 --u-threshold 9 --l-threshold 1",
                        new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.NAT).withWeight(0).withThresholds(9, 1))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -g", new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.DIRECT_ROUTE))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 --gatewaying", new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.DIRECT_ROUTE))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i", new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.IPIP))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 --ipip --tun-type ipip", new IpvsadmCommand.AddDest(WEB, dest(RIP, 80, ForwardingMethod.IPIP))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gue --tun-port 6080", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GUE, 6080)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gue --tun-port 6080 --tun-nocsum", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GUE, 6080)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gue --tun-port 6080 --tun-csum", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GUE, 6080, TunnelChecksum.CSUM)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gue --tun-port 6080 --tun-remcsum", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GUE, 6080, TunnelChecksum.REMCSUM)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gre --tun-csum", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GRE, 0, TunnelChecksum.CSUM)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gre", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, new ForwardingMethod.Tunnel(TunnelType.GRE, 0)))),
                Arguments.of("-a -t 10.0.0.100:80 -r 2001:db8::11 -i", new IpvsadmCommand.AddDest(WEB,
                        dest(IpAddr.parse("2001:db8::11"), 80, ForwardingMethod.IPIP))),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 --fullnat --proxy-protocol v2", new IpvsadmCommand.AddDest(WEB,
                        dest(RIP, 80, ForwardingMethod.FULL_NAT).withProxyProtocol(ProxyProtocol.V2))),
                Arguments.of("-a -f 1 -r 10.0.0.11", new IpvsadmCommand.AddDest(new ServiceKey.Fwmark(1, false), dest(RIP, 0, ForwardingMethod.DIRECT_ROUTE))),
                Arguments.of("-a -t [2001:db8::1]:443 -r [2001:db8::11]:8443 -m", new IpvsadmCommand.AddDest(tcp("2001:db8::1", 443),
                        dest(IpAddr.parse("2001:db8::11"), 8443, ForwardingMethod.NAT))),
                Arguments.of("-e -t 10.0.0.100:80 -r 10.0.0.11 -w 5", new IpvsadmCommand.EditDest(WEB, dest(RIP, 80, ForwardingMethod.DIRECT_ROUTE).withWeight(5), false)),
                Arguments.of("--edit-server -t 10.0.0.100:80 -r 10.0.0.11 --proxy-protocol=v1", new IpvsadmCommand.EditDest(WEB,
                        dest(RIP, 80, ForwardingMethod.DIRECT_ROUTE).withProxyProtocol(ProxyProtocol.V1), true)),
                Arguments.of("-d -t 10.0.0.100:80 -r 10.0.0.11", new IpvsadmCommand.DeleteDest(WEB, RIP, 80)),
                Arguments.of("-d -t 10.0.0.100:80 -r 10.0.0.11:8080", new IpvsadmCommand.DeleteDest(WEB, RIP, 8080)),
                // listings
                Arguments.of("", list(false)),
                Arguments.of("-L", list(false)),
                Arguments.of("-l", list(false)),
                Arguments.of("--list", list(false)),
                Arguments.of("-L -n", n),
                Arguments.of("-Ln", n),
                Arguments.of("-L --numeric --sort", n),
                Arguments.of("-L -n --nosort", new IpvsadmCommand.List(null, false, false, false, true, false, false, false, false, false, false, false, false)),
                Arguments.of("-L -n --stats --exact", new IpvsadmCommand.List(null, false, false, false, true, true, false, false, false, false, true, true, false)),
                Arguments.of("-L -n -X --rate", new IpvsadmCommand.List(null, false, false, false, true, false, true, false, false, false, true, true, false)),
                Arguments.of("-L --thresholds", new IpvsadmCommand.List(null, false, false, false, false, false, false, true, false, false, false, true, false)),
                Arguments.of("-L --persistent-conn", new IpvsadmCommand.List(null, false, false, false, false, false, false, false, true, false, false, true, false)),
                Arguments.of("-L --tun-info", new IpvsadmCommand.List(null, false, false, false, false, false, false, false, false, true, false, true, false)),
                Arguments.of("-L -n -c", new IpvsadmCommand.List(null, true, false, false, true, false, false, false, false, false, false, true, false)),
                Arguments.of("-Lnc --persistent-conn", new IpvsadmCommand.List(null, true, false, false, true, false, false, false, true, false, false, true, false)),
                Arguments.of("-L --timeout", new IpvsadmCommand.List(null, false, true, false, false, false, false, false, false, false, false, true, false)),
                Arguments.of("-L --daemon", new IpvsadmCommand.List(null, false, false, true, false, false, false, false, false, false, false, true, false)),
                // sync daemons: ipvsadm's defaults (eth0, sync ID 0), the kernel's for the rest (zeros, null)
                Arguments.of("--start-daemon master", new IpvsadmCommand.StartDaemon("master", "eth0", 0, 0, null, 0, 0, -1)),
                Arguments.of("--start-daemon backup --mcast-interface eth1 --syncid 7", new IpvsadmCommand.StartDaemon("backup", "eth1", 7, 0, null, 0, 0, -1)),
                Arguments.of("--start-daemon=master --mcast-interface=vlan10 --syncid=255 --sync-maxlen=1400 --mcast-group=239.1.2.3 --mcast-port=9000 --mcast-ttl=4 --sync-version=0",
                        new IpvsadmCommand.StartDaemon("master", "vlan10", 255, 1400, IpAddr.parse("239.1.2.3"), 9000, 4, 0)),
                Arguments.of("--stop-daemon backup", new IpvsadmCommand.StopDaemon("backup")),
                Arguments.of("-L -t 10.0.0.100:80 --stats", new IpvsadmCommand.List(WEB, false, false, false, false, true, false, false, false, false, false, true, false)),
                Arguments.of("-L --json", new IpvsadmCommand.List(null, false, false, false, false, false, false, false, false, false, false, true, true)),
                // the rest
                Arguments.of("-Z", new IpvsadmCommand.Zero(null)),
                Arguments.of("-Z -t 10.0.0.100:80", new IpvsadmCommand.Zero(WEB)),
                Arguments.of("-S", new IpvsadmCommand.Save(false)),
                Arguments.of("-S -n", new IpvsadmCommand.Save(true)),
                Arguments.of("-R", new IpvsadmCommand.Restore(null)),
                Arguments.of("--set 900 120 300", new IpvsadmCommand.SetTimeouts(900, 120, 300)),
                Arguments.of("--set 0 0 2678400", new IpvsadmCommand.SetTimeouts(0, 0, 2678400)),
                Arguments.of("--defense", new IpvsadmCommand.Defense(null, null, null, null, null, false)),
                Arguments.of("--defense --json", new IpvsadmCommand.Defense(null, null, null, null, null, true)),
                Arguments.of("--defense drop_entry=1 drop-packet=3 secure_tcp=0 amemthresh=2048 am_droprate=20",
                        new IpvsadmCommand.Defense(1, 3, 0, 2048L, 20, false)),
                Arguments.of("--where tcp 192.0.2.7:40000 10.0.0.100:80", new IpvsadmCommand.Where(Protocol.TCP,
                        IpAddr.parse("192.0.2.7"), 40000, IpAddr.parse("10.0.0.100"), 80, 0, false)),
                Arguments.of("--where UDP [2001:db8::7]:5353 [2001:db8::1]:53 --mark 5 --json", new IpvsadmCommand.Where(Protocol.UDP,
                        IpAddr.parse("2001:db8::7"), 5353, IpAddr.parse("2001:db8::1"), 53, 5, true)),
                Arguments.of("-h", new IpvsadmCommand.Help()),
                Arguments.of("--help", new IpvsadmCommand.Help()),
                Arguments.of("-v", new IpvsadmCommand.Version()),
                Arguments.of("-V", new IpvsadmCommand.Version()),
                Arguments.of("--version", new IpvsadmCommand.Version()));
    }

    @ParameterizedTest(name = "[{index}] argv: {0}")
    @MethodSource("valid")
    void parses(String line, IpvsadmCommand expected) {
        assertThat(parse(line)).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        String svc = "-A -t 10.0.0.1:80 ";
        String srv = "-a -t 10.0.0.1:80 -r 10.0.0.2 ";
        return Stream.of(
                // grammar
                Arguments.of("-t 10.0.0.1:80", "no command specified before -t (the first option must be one of -A -E -D -C -a -e -d -L -Z -S -R --set --where)"),
                Arguments.of("-nL", "no command specified before -n (the first option must be one of -A -E -D -C -a -e -d -L -Z -S -R --set --where)"),
                Arguments.of("foo", "no command specified (one of -A -E -D -C -a -e -d -L -Z -S -R --set --where)"),
                Arguments.of("-A -A", "multiple commands specified"),
                Arguments.of(svc + "-L", "multiple commands specified"),
                Arguments.of("-Q", "-Q: unknown option"),
                Arguments.of("-L --frobnicate", "--frobnicate: unknown option"),
                Arguments.of("-A -t", "-t: missing argument"),
                Arguments.of("-A --tcp-service", "--tcp-service: missing argument"),
                Arguments.of("-L --stats=yes", "--stats: option takes no value"),
                Arguments.of("-C extra", "unexpected argument extra"),
                Arguments.of(svc + "--pe sip", "--pe: option not supported by JVS"),
                Arguments.of("-L --syncid 3", "Illegal 'syncid' option with the 'list' command"),
                Arguments.of("--start-daemon primary", "illegal start-daemon parameter specified: 'primary' (master or backup)"),
                Arguments.of("--stop-daemon", "--stop-daemon: missing argument"),
                Arguments.of("--stop-daemon master --syncid 1", "Illegal 'syncid' option with the 'stop-daemon' command"),
                Arguments.of("--start-daemon master --syncid 256", "illegal syncID specified"),
                Arguments.of("--start-daemon master --mcast-group 10.0.0.1", "illegal multicast group specified: '10.0.0.1' (an IPv4 multicast address, 224.0.0.0/4)"),
                Arguments.of("--start-daemon master --mcast-group ff02::12", "illegal multicast group specified: 'ff02::12' (an IPv4 multicast address, 224.0.0.0/4)"),
                Arguments.of("--start-daemon master --mcast-port 0", "illegal multicast port specified"),
                Arguments.of("--start-daemon master --mcast-ttl 256", "illegal multicast TTL specified"),
                Arguments.of("--start-daemon master --sync-maxlen 70000", "illegal sync-maxlen specified"),
                Arguments.of("--start-daemon master --sync-version 2", "illegal sync version specified (0 or 1)"),
                Arguments.of("--start-daemon master --mcast-interface abcdefghijklmnop", "illegal mcast-interface specified: 'abcdefghijklmnop' (1 to 15 characters)"),
                Arguments.of("--start-daemon master --stop-daemon master", "multiple commands specified"),
                // addresses
                Arguments.of("-A -t www.example.com:80", "illegal virtual server address[:port] specified: 'www.example.com' is a host name; JVS takes numeric addresses only and never resolves names"),
                Arguments.of("-A -t localhost", "illegal virtual server address[:port] specified: 'localhost' is a host name; JVS takes numeric addresses only and never resolves names"),
                Arguments.of("-A -t 10.0.0.1:http", "illegal virtual server address[:port] specified: 'http' is a port name; JVS takes port numbers only"),
                Arguments.of("-A -t 10.0.0.1:70000", "illegal virtual server address[:port] specified"),
                Arguments.of("-A -t 80", "illegal virtual server address[:port] specified"),
                Arguments.of("-A -t 10.0.0.256:80", "illegal virtual server address[:port] specified"),
                Arguments.of("-A -t [2001:db8::1]", "illegal virtual server address[:port] specified: a bracketed IPv6 address needs a port ([addr]:port); write a bare address for none"),
                Arguments.of("-A -t [2001:db8::1]80", "illegal virtual server address[:port] specified"),
                Arguments.of("-A -t [10.0.0.1]:80", "illegal virtual server address[:port] specified"),
                Arguments.of("-a -t 10.0.0.1:80 -r host.example", "illegal real server address[:port] specified: 'host.example' is a host name; JVS takes numeric addresses only and never resolves names"),
                Arguments.of(svc + "-t 10.0.0.2:80", "multiple 'service-address' options specified"),
                Arguments.of(svc + "-f 1", "multiple 'service-address' options specified"),
                Arguments.of("-A -f 0", "invalid fwmark value `0' specified"),
                Arguments.of("-A -f abc", "invalid fwmark value `abc' specified"),
                Arguments.of("-A -f 4294967296", "invalid fwmark value `4294967296' specified"),
                Arguments.of("-A -f 4294967295", "fwmark 4294967295 is not supported by JVS (at most 2147483647)"),
                Arguments.of("-A -6 -f 1", "-6 used before -f"),
                // service options
                Arguments.of("-A", "You need to supply the 'service-address' option for the 'add-service' command"),
                Arguments.of("-E", "You need to supply the 'service-address' option for the 'edit-service' command"),
                Arguments.of("-D", "You need to supply the 'service-address' option for the 'delete-service' command"),
                Arguments.of(svc + "-p 0", "invalid timeout value `0' specified"),
                Arguments.of(svc + "-p 2678401", "invalid timeout value `2678401' specified"),
                Arguments.of(svc + "-s rr -s wlc", "multiple 'scheduler' options specified"),
                Arguments.of("-A -t 10.0.0.1", "Zero port specified for non-persistent service"),
                Arguments.of("-E -t 10.0.0.1:0 -s rr", "Zero port specified for non-persistent service"),
                Arguments.of(svc + "-o", "One-Packet Scheduling is only for UDP virtual services"),
                Arguments.of(svc + "-p -M 255.0.255.0", "illegal virtual server persistent mask specified: 255.0.255.0 is not a contiguous netmask"),
                Arguments.of(svc + "-p -M /33", "illegal virtual server persistent mask specified"),
                Arguments.of(svc + "-p -M 24", "illegal virtual server persistent mask specified"),
                Arguments.of(svc + "-p -M bogus", "illegal virtual server persistent mask specified"),
                Arguments.of("-A -t [2001:db8::1]:80 -p -M 129", "illegal ipv6 netmask specified"),
                Arguments.of("-A -t [2001:db8::1]:80 -p -M 0", "illegal ipv6 netmask specified"),
                Arguments.of(svc + "-b sh-port", "incompatible scheduler flag `sh-port'"),
                Arguments.of(svc + "-s sh -b mh-fallback", "incompatible scheduler flag `mh-fallback'"),
                Arguments.of(svc + "-s sh -b bogus", "invalid scheduler flag `bogus'"),
                Arguments.of(svc + "-b ,", "invalid scheduler flag `,'"),
                Arguments.of(svc + "-b flag-3", "scheduler flag `flag-3' is not supported by JVS (no scheduler reads it)"),
                Arguments.of(svc + "--engine turbo", "illegal engine specified: 'turbo' (socket, packet)"),
                Arguments.of(svc + "-w 3", "Illegal 'weight' option with the 'add-service' command"),
                Arguments.of(svc + "-r 10.0.0.2", "Illegal 'real-server' option with the 'add-service' command"),
                Arguments.of(svc + "--json", "Illegal 'json' option with the 'add-service' command"),
                Arguments.of(svc + "-n", "Illegal 'numeric' option with the 'add-service' command"),
                Arguments.of("-D -t 10.0.0.1:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command"),
                // server options
                Arguments.of("-a -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'add-server' command"),
                Arguments.of("-e -r 10.0.0.2", "You need to supply the 'service-address' option for the 'edit-server' command"),
                Arguments.of("-d -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'delete-server' command"),
                Arguments.of(srv + "-w 65536", "illegal weight specified"),
                Arguments.of(srv + "-w -1", "illegal weight specified"),
                Arguments.of(srv + "-w x", "illegal weight specified"),
                Arguments.of(srv + "-x -5", "illegal u_threshold specified"),
                Arguments.of(srv + "-y abc", "illegal l_threshold specified"),
                Arguments.of(srv + "-x 50 -y 100", "lower threshold 100 is above upper threshold 50"),
                Arguments.of(srv + "-g -m", "multiple 'forwarding-method' options specified"),
                Arguments.of(srv + "-i --fullnat", "multiple 'forwarding-method' options specified"),
                Arguments.of(srv + "-s rr", "Illegal 'scheduler' option with the 'add-server' command"),
                Arguments.of(srv + "-p", "Illegal 'persistent' option with the 'add-server' command"),
                Arguments.of("-a -t 10.0.0.1:80 -r 2001:db8::2", "Different address family is allowed only for tunneling servers"),
                Arguments.of("-a -t 10.0.0.1:80 -r 2001:db8::2 -m", "Different address family is allowed only for tunneling servers"),
                Arguments.of(srv + "--tun-type gue", "Tunnel options conflict with forward method"),
                Arguments.of(srv + "-m --tun-nocsum", "Tunnel options conflict with forward method"),
                Arguments.of(srv + "-i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type"),
                Arguments.of(srv + "-i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type"),
                Arguments.of(srv + "-i --tun-nocsum", "Illegal 'tun-nocsum' option with the 'ipip' tunnel type"),
                Arguments.of(srv + "-i --tun-type gre --tun-port 1", "Illegal 'tun-port' option with the 'gre' tunnel type"),
                Arguments.of(srv + "-i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type"),
                Arguments.of(srv + "-i --tun-type gre --tun-nocsum --tun-csum", "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type"),
                Arguments.of(srv + "-i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type"),
                Arguments.of(srv + "-i --tun-type vxlan", "illegal tunnel type specified"),
                Arguments.of(srv + "-i --tun-type gue --tun-port 0", "illegal tunnel port specified"),
                Arguments.of(srv + "--proxy-protocol v3", "illegal PROXY protocol version specified: 'v3' (none, v1, v2)"),
                Arguments.of(srv + "--engine packet", "Illegal 'engine' option with the 'add-server' command"),
                Arguments.of("-d -t 10.0.0.1:80 -r 10.0.0.2 -w 2", "Illegal 'weight' option with the 'delete-server' command"),
                // listings
                Arguments.of("-L -c -t 10.0.0.1:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command"),
                Arguments.of("-L --timeout --daemon", "The option 'daemon' conflicts with the 'timeout' option in the 'list' command"),
                Arguments.of("-L -c --stats", "options conflicts in the list command"),
                Arguments.of("-L --timeout --rate", "options conflicts in the list command"),
                Arguments.of("-L --daemon --thresholds", "options conflicts in the list command"),
                Arguments.of("-L --timeout --persistent-conn", "options conflicts in the list command"),
                Arguments.of("-L -s rr", "Illegal 'scheduler' option with the 'list' command"),
                Arguments.of("-L --mark 3", "Illegal 'mark' option with the 'list' command"),
                Arguments.of("-L -n -n", "multiple 'numeric' options specified"),
                Arguments.of("-S -c", "Illegal 'connection' option with the 'save' command"),
                Arguments.of("-S --json", "Illegal 'json' option with the 'save' command"),
                Arguments.of("-C -n", "Illegal 'numeric' option with the 'flush' command"),
                Arguments.of("-R -n", "Illegal 'numeric' option with the 'restore' command"),
                Arguments.of("-Z -t 10.0.0.1:80 -n", "Illegal 'numeric' option with the 'zero' command"),
                // --set
                Arguments.of("--set 900 120", "--set option requires 3 timeout values"),
                Arguments.of("--set", "--set option requires 3 timeout values"),
                Arguments.of("--set 900 120 x", "invalid timeout value `x' specified"),
                Arguments.of("--set 900 120 2678401", "invalid timeout value `2678401' specified"),
                Arguments.of("--set 900 120 300 5", "unexpected argument 5"),
                Arguments.of("--set 900 120 300 -n", "Illegal 'numeric' option with the 'set' command"),
                // --defense
                Arguments.of("--defense drop_entry=4", "--defense: drop_entry=4: a number in 0..3 (0 off, 1 automatic, 2 automatic and active now, 3 always)"),
                Arguments.of("--defense secure_tcp=x", "--defense: secure_tcp=x: a number in 0..3 (0 off, 1 automatic, 2 automatic and active now, 3 always)"),
                Arguments.of("--defense am_droprate=0", "--defense: am_droprate=0: a number in 1..2147483647"),
                Arguments.of("--defense amemthresh=-1", "--defense: amemthresh=-1: a number in 0..2251799813685247"),
                Arguments.of("--defense drop_entry", "--defense: 'drop_entry' is not NAME=VALUE (drop_entry, drop_packet, secure_tcp, amemthresh, am_droprate)"),
                Arguments.of("--defense drop_entry=1 drop_entry=2", "--defense: drop_entry given twice"),
                Arguments.of("--defense conntrack=1", "--defense: unknown setting 'conntrack' (drop_entry, drop_packet, secure_tcp, amemthresh, am_droprate)"),
                Arguments.of("--defense drop_entry=1 -n", "Illegal 'numeric' option with the 'defense' command"),
                // --where
                Arguments.of("--where tcp 192.0.2.7 10.0.0.100:80", "--where: illegal client address:port '192.0.2.7'"),
                Arguments.of("--where tcp 192.0.2.7:1 10.0.0.100", "--where: illegal virtual address:port '10.0.0.100'"),
                Arguments.of("--where tcp client.example:1 10.0.0.100:80", "--where: illegal client address:port 'client.example:1': 'client.example' is a host name; JVS takes numeric addresses only and never resolves names"),
                Arguments.of("--where icmp 192.0.2.7:1 10.0.0.100:80", "--where: illegal protocol 'icmp' (tcp, udp, sctp)"),
                Arguments.of("--where tcp 192.0.2.7:1 [2001:db8::1]:80", "--where: client and virtual address must be of one address family"),
                Arguments.of("--where tcp 192.0.2.7:1", "--where needs three values: PROTO CIP:CPORT VIP:VPORT"),
                Arguments.of("--where tcp 192.0.2.7:1 10.0.0.100:80 -n", "Illegal 'numeric' option with the 'where' command"),
                Arguments.of("--where tcp 192.0.2.7:1 10.0.0.100:80 --mark 0", "invalid fwmark value `0' specified"));
    }

    @ParameterizedTest(name = "[{index}] argv: {0}")
    @MethodSource("invalid")
    void refuses(String line, String message) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(UsageException.class).hasMessage(message);
    }

    @Test
    void helpWinsOverWhatFollowsAndRestoreWaitsForInput() {
        assertThat(parse("-h -t bogus")).isEqualTo(new IpvsadmCommand.Help());
        assertThat(((IpvsadmCommand.Restore) parse("-R")).withInput("-C\n")).isEqualTo(new IpvsadmCommand.Restore("-C\n"));
    }

    @Test
    void optionalPersistenceValueIsNotTakenFromTheNextOption() {
        IpvsadmCommand c = parse("-A -t 10.0.0.1:80 -p -s rr");
        assertThat(((IpvsadmCommand.AddService) c).spec().persistence()).isEqualTo(new Persistence(360, 32));
        assertThat(((IpvsadmCommand.AddService) c).spec().scheduler()).isEqualTo("rr");
    }

    @Test
    void doubleDashEndsOptions() {
        assertThat(parse("--set -- 1 2 3")).isEqualTo(new IpvsadmCommand.SetTimeouts(1, 2, 3));
    }
}
