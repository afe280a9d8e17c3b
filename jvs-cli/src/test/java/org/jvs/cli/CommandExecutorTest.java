package org.jvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvs.cli.TestLb.lines;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.Engine;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.Protocol;
import org.jvs.core.view.Snapshot;

class CommandExecutorTest {

    private static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);

    @Test
    void aSequenceOfCommandsAndTheListingItLeaves() {
        try (TestLb t = new TestLb()) {
            assertThat(t.runAll(
                    "-A -t 10.0.0.100:80 -s rr",
                    "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 3",
                    "-a -t 10.0.0.100:80 -r 10.0.0.12:8080 -m",
                    "-a -t 10.0.0.100:80 -r 10.0.0.13 -m",
                    "-e -t 10.0.0.100:80 -r 10.0.0.12:8080 -m -w 5",
                    "-d -t 10.0.0.100:80 -r 10.0.0.13",
                    "-E -t 10.0.0.100:80 -s wlc -p 60",
                    "-A -u 10.0.0.100:53",
                    "-a -u 10.0.0.100:53 -r 10.0.0.21:5353 -m -w 2",
                    "-A -t 10.0.0.200:80",
                    "-D -t 10.0.0.200:80")).isEmpty(); // changes print nothing, as with ipvsadm
            assertThat(t.run("-L -n")).isEqualTo(lines("""
                    IP Virtual Server version 1.2.1 (size=512)
                    Prot LocalAddress:Port Scheduler Flags
                      -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                    TCP  10.0.0.100:80 wlc persistent 60
                      -> 10.0.0.11:80                 Route   3      0          0         |
                      -> 10.0.0.12:8080               Masq    5      0          0         |
                    UDP  10.0.0.100:53 wlc
                      -> 10.0.0.21:5353               Masq    2      0          0         |
                    """));
            t.run("-C");
            assertThat(t.run("-L -n")).isEqualTo("""
                    IP Virtual Server version 1.2.1 (size=512)
                    Prot LocalAddress:Port Scheduler Flags
                      -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                    """);
        }
    }

    @Test
    void defenseSetsIpvsSysctlsAndListsThemWithTheConnectionTables() {
        try (TestLb t = new TestLb()) {
            String quiet = t.run("--defense");
            assertThat(quiet).startsWith("""
                    net.ipv4.vs.drop_entry = 0
                    net.ipv4.vs.drop_packet = 0
                    net.ipv4.vs.secure_tcp = 0
                    net.ipv4.vs.amemthresh = 1024
                    net.ipv4.vs.am_droprate = 10
                    # in force: drop_entry no, drop_packet no, secure_tcp no
                    # available memory as the defences last saw it: not read (no strategy is automatic) (threshold 4096 KiB)
                    # connection table IPv4: 0 of 1000 entries, 0 refused when full
                    # connection table IPv6: 0 of 100 entries, 0 refused when full
                    """);
            String set = t.run("--defense drop_entry=1 drop_packet=3 secure_tcp=3 amemthresh=256 am_droprate=7");
            assertThat(set).contains("net.ipv4.vs.drop_entry = 1\n", "net.ipv4.vs.drop_packet = 3\n",
                    "net.ipv4.vs.secure_tcp = 3\n", "net.ipv4.vs.amemthresh = 256\n", "net.ipv4.vs.am_droprate = 7\n",
                    "# in force: drop_entry no, drop_packet 1 in 7, secure_tcp yes\n");
            assertThat(set).containsPattern("# available memory as the defences last saw it: \\d+ KiB \\(threshold 1024 KiB\\)");
            assertThat(t.lb.defense().threshold()).isEqualTo(256L * 4096);
            assertThat(t.lb.defense().secureTcpActive()).isTrue();

            t.run("-A -t 10.0.0.100:80 -s rr");
            t.run("-a -t 10.0.0.100:80 -r 10.0.0.11 -g");
            assertThat(t.syn("192.0.2.1", 1000, "10.0.0.100", 80)).isEqualTo(org.jvs.core.Decision.ACCEPT); // 1 in 7: the 7th goes
            assertThat(t.run("--defense --json")).contains("\"drop_entry\":1,\"drop_packet\":3,\"secure_tcp\":3,\"amemthresh\":256,"
                    + "\"am_droprate\":7,\"in_force\":{\"drop_entry\":false,\"drop_packet_one_in\":7,\"secure_tcp\":true}")
                    .contains("\"conn_tables\":[{\"family\":\"ipv4\",\"entries\":1,\"capacity\":1000,\"refused_when_full\":0},"
                            + "{\"family\":\"ipv6\",\"entries\":0,\"capacity\":100,\"refused_when_full\":0}]");
            t.run("--defense drop_packet=0 secure_tcp=0");
            assertThat(t.run("--defense")).contains("# in force: drop_entry no, drop_packet no, secure_tcp no\n");
        }
    }

    @Test
    void editReplacesWhatIpvsadmSaysAndKeepsJvsExtras() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s sh -b sh-port -p 600 --engine packet",
                    "-a -t 10.0.0.100:80 -r 10.0.0.11 -m -w 4 -x 10 --proxy-protocol v2");
            // ipvsadm -E: everything left out goes back to its default (scheduler wlc, no persistence, no flags)
            t.run("-E -t 10.0.0.100:80");
            assertThat(t.lb.service(WEB).spec().scheduler()).isEqualTo("wlc");
            assertThat(t.lb.service(WEB).spec().persistence()).isNull();
            assertThat(t.lb.service(WEB).spec().flags()).isEmpty();
            assertThat(t.lb.service(WEB).spec().engine()).isEqualTo(Engine.PACKET); // JVS-only: kept
            t.run("-E -t 10.0.0.100:80 --engine socket");
            assertThat(t.lb.service(WEB).spec().engine()).isEqualTo(Engine.SOCKET);
            // ipvsadm -e: weight back to 1, thresholds to 0, method to -g unless given; PROXY protocol kept
            t.run("-e -t 10.0.0.100:80 -r 10.0.0.11 -m");
            var d = t.lb.service(WEB).dests()[0].spec();
            assertThat(d.weight()).isEqualTo(1);
            assertThat(d.upperThreshold()).isZero();
            assertThat(d.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
            t.run("-e -t 10.0.0.100:80 -r 10.0.0.11 -m --proxy-protocol none");
            assertThat(t.lb.service(WEB).dests()[0].spec().proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        }
    }

    @Test
    void editOfADirectRouteServerNamedWithAnotherPortFindsIt() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80", "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g --proxy-protocol v1");
            t.run("-e -t 10.0.0.100:80 -r 10.0.0.11:8080 -g -w 9"); // DR: the core stores the service port
            var d = t.lb.service(WEB).dests()[0].spec();
            assertThat(d.port()).isEqualTo(80);
            assertThat(d.weight()).isEqualTo(9);
            assertThat(d.proxyProtocol()).isEqualTo(ProxyProtocol.V1);
        }
    }

    @Test
    void zeroClearsCountersOfOneServiceOrAll() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80", "-a -t 10.0.0.100:80 -r 10.0.0.11 -m",
                    "-A -t 10.0.0.100:81", "-a -t 10.0.0.100:81 -r 10.0.0.11 -m");
            t.syn("192.0.2.1", 1000, "10.0.0.100", 80);
            t.syn("192.0.2.1", 1001, "10.0.0.100", 81);
            t.run("-Z -t 10.0.0.100:80");
            assertThat(t.run("-L -n --stats")).isEqualTo("""
                    IP Virtual Server version 1.2.1 (size=512)
                    Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                      -> RemoteAddress:Port
                    TCP  10.0.0.100:80                       0        0        0        0        0
                      -> 10.0.0.11:80                        0        0        0        0        0
                    TCP  10.0.0.100:81                       1        1        0       60        0
                      -> 10.0.0.11:81                        1        1        0       60        0
                    """);
            t.run("-Z");
            assertThat(t.run("-L -n --stats")).doesNotContain("60");
            assertThat(t.lb.stats().totals().conns()).isZero();
        }
    }

    @Test
    void setTimeouts() {
        try (TestLb t = new TestLb()) {
            t.run("--set 7200 30 60");
            assertThat(t.run("-L --timeout")).isEqualTo("Timeout (tcp tcpfin udp): 7200 30 60\n");
            t.run("--set 0 0 90");
            assertThat(t.run("-L --timeout")).isEqualTo("Timeout (tcp tcpfin udp): 7200 30 90\n");
            assertThat(t.run("-L --timeout --json")).isEqualTo("{\"tcp\":7200,\"tcpfin\":30,\"udp\":90}\n");
        }
    }

    // ======================================================================================
    // --where
    // ======================================================================================

    @Test
    void whereAnswersWhichServerAndWhy() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s rr -p 300 -M 255.255.255.0",
                    "-a -t 10.0.0.100:80 -r 10.0.0.11 -m -w 1",
                    "-a -t 10.0.0.100:80 -r 10.0.0.12 -m -w 1");
            // nothing yet: the scheduler decides (and asking moves no state: the same answer twice)
            String first = t.run("--where tcp 192.0.2.7:40000 10.0.0.100:80");
            assertThat(first).isEqualTo("""
                    flow:   TCP 192.0.2.7:40000 -> 10.0.0.100:80
                    dest:   10.0.0.11:80 Masq weight 1 (service tcp 10.0.0.100:80)
                    reason: scheduler: rr of service tcp 10.0.0.100:80
                    """);
            assertThat(t.run("--where tcp 192.0.2.7:40000 10.0.0.100:80")).isEqualTo(first);
            // the client connects: its own flow is now a connection
            t.syn("192.0.2.7", 40000, "10.0.0.100", 80);
            assertThat(t.run("--where tcp 192.0.2.7:40000 10.0.0.100:80")).isEqualTo("""
                    flow:   TCP 192.0.2.7:40000 -> 10.0.0.100:80
                    dest:   10.0.0.11:80 Masq weight 1 (service tcp 10.0.0.100:80)
                    reason: existing connection: connection in state SYN_RECV, expires in 60 s
                    """);
            // a neighbour in the same /24 follows the persistence template, although rr would say .12
            t.clock.advanceSeconds(10);
            assertThat(t.run("--where tcp 192.0.2.99:5000 10.0.0.100:80")).isEqualTo("""
                    flow:   TCP 192.0.2.99:5000 -> 10.0.0.100:80
                    dest:   10.0.0.11:80 Masq weight 1 (service tcp 10.0.0.100:80)
                    reason: persistence: persistent client 192.0.2.0/24, template expires in 290 s
                    """);
            // another network gets the scheduler's next pick
            assertThat(t.run("--where tcp 198.51.100.1:5000 10.0.0.100:80")).contains("dest:   10.0.0.12:80 Masq");
            assertThat(t.run("--where tcp 198.51.100.1:5000 10.0.0.100:80 --json")).isEqualTo(
                    "{\"flow\":{\"protocol\":\"TCP\",\"client\":\"198.51.100.1\",\"clientPort\":5000,\"virtual\":\"10.0.0.100\","
                            + "\"virtualPort\":80,\"fwmark\":0},\"dest\":{\"address\":\"10.0.0.12\",\"port\":80,\"forward\":\"Masq\","
                            + "\"weight\":1,\"service\":\"tcp 10.0.0.100:80\"},\"reason\":\"SCHEDULER\","
                            + "\"detail\":\"rr of service tcp 10.0.0.100:80\"}\n");
        }
    }

    @Test
    void whereWithoutAnswer() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -u 10.0.0.100:53", "-a -u 10.0.0.100:53 -r 10.0.0.11 -m -w 0");
            assertThat(t.run("--where udp 192.0.2.7:5353 10.0.0.100:53")).isEqualTo("""
                    flow:   UDP 192.0.2.7:5353 -> 10.0.0.100:53
                    dest:   none
                    reason: no usable real server: service udp 10.0.0.100:53 has no usable real server
                    """);
            assertThat(t.run("--where udp 192.0.2.7:5353 10.0.0.100:54")).isEqualTo("""
                    flow:   UDP 192.0.2.7:5353 -> 10.0.0.100:54
                    dest:   none
                    reason: no service: no virtual service matches 10.0.0.100:54
                    """);
            assertThat(t.run("--where udp 192.0.2.7:5353 10.0.0.100:54 --json")).endsWith(
                    "\"dest\":null,\"reason\":\"NO_SERVICE\",\"detail\":\"no virtual service matches 10.0.0.100:54\"}\n");
        }
    }

    @Test
    void whereWithAFirewallMark() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -f 5 -s rr", "-a -f 5 -r 10.0.0.11 -g");
            assertThat(t.run("--where tcp 192.0.2.7:1000 10.0.0.100:443 --mark 5")).isEqualTo("""
                    flow:   TCP 192.0.2.7:1000 -> 10.0.0.100:443 fwmark 5
                    dest:   10.0.0.11:0 Route weight 1 (service fwmark 5)
                    reason: scheduler: rr of service fwmark 5
                    """);
        }
    }

    // ======================================================================================
    // JSON
    // ======================================================================================

    @Test
    void jsonListing() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s sh -b sh-port -p 60 -M 255.255.0.0",
                    "-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gue --tun-port 6080 -x 5",
                    "-A -f 3 -6");
            assertThat(t.run("-L --json")).isEqualTo("{\"version\":\"1.2.1\",\"size\":512,"
                    + "\"timeouts\":{\"tcp\":900,\"tcpfin\":120,\"udp\":300},"
                    + "\"stats\":{\"conns\":0,\"inPackets\":0,\"outPackets\":0,\"inBytes\":0,\"outBytes\":0},"
                    + "\"rates\":{\"cps\":0,\"inPps\":0,\"outPps\":0,\"inBps\":0,\"outBps\":0},"
                    + "\"services\":["
                    + "{\"key\":\"tcp 10.0.0.100:80\",\"protocol\":\"TCP\",\"address\":\"10.0.0.100\",\"port\":80,\"ipv6\":false,"
                    + "\"scheduler\":\"sh\",\"flags\":[\"sh-port\"],\"persistence\":{\"timeout\":60,\"prefixLength\":16},"
                    + "\"ops\":false,\"engine\":\"socket\","
                    + "\"stats\":{\"conns\":0,\"inPackets\":0,\"outPackets\":0,\"inBytes\":0,\"outBytes\":0},"
                    + "\"rates\":{\"cps\":0,\"inPps\":0,\"outPps\":0,\"inBps\":0,\"outBps\":0},"
                    + "\"dests\":[{\"address\":\"10.0.0.11\",\"port\":80,\"forward\":\"Tunnel\",\"tunnel\":{\"type\":\"gue\",\"port\":6080,\"checksum\":\"nocsum\"},"
                    + "\"weight\":1,\"configuredWeight\":1,\"upperThreshold\":5,\"lowerThreshold\":0,\"activeConns\":0,"
                    + "\"inactiveConns\":0,\"persistentConns\":0,\"overloaded\":false,\"proxyProtocol\":\"none\","
                    + "\"stats\":{\"conns\":0,\"inPackets\":0,\"outPackets\":0,\"inBytes\":0,\"outBytes\":0},"
                    + "\"rates\":{\"cps\":0,\"inPps\":0,\"outPps\":0,\"inBps\":0,\"outBps\":0}}]},"
                    + "{\"key\":\"fwmark 3 (IPv6)\",\"fwmark\":3,\"ipv6\":true,\"scheduler\":\"wlc\",\"flags\":[],"
                    + "\"persistence\":null,\"ops\":false,\"engine\":\"socket\","
                    + "\"stats\":{\"conns\":0,\"inPackets\":0,\"outPackets\":0,\"inBytes\":0,\"outBytes\":0},"
                    + "\"rates\":{\"cps\":0,\"inPps\":0,\"outPps\":0,\"inBps\":0,\"outBps\":0},\"dests\":[]}]}\n");
            assertThat(t.run("-L -f 3 -6 --json")).contains("\"services\":[{\"key\":\"fwmark 3 (IPv6)\"")
                    .doesNotContain("tcp 10.0.0.100:80");
            assertThat(t.run("-L --daemon --json")).isEqualTo("{\"daemons\":[]}\n");
        }
    }

    @Test
    void jsonConnections() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80", "-a -t 10.0.0.100:80 -r 10.0.0.11:8080 -m");
            t.syn("192.0.2.7", 40000, "10.0.0.100", 80);
            assertThat(t.run("-L -c --json")).isEqualTo("{\"connections\":[{\"protocol\":\"TCP\",\"state\":\"SYN_RECV\","
                    + "\"expires\":60,\"client\":\"192.0.2.7\",\"clientPort\":40000,\"virtual\":\"10.0.0.100\",\"virtualPort\":80,"
                    + "\"dest\":\"10.0.0.11\",\"destPort\":8080,\"template\":false,\"forward\":\"Masq\"}]}\n");
        }
    }

    @Test
    void jsonWriterEscapes() {
        String s = new JsonWriter().beginObject().field("a\"b", "line\nbreak\t\\ \u0001").name("n").nullValue()
                .field("d", 1.5).field("nan", Double.NaN).name("l").beginArray().value(1).value(true).endArray()
                .endObject().toString();
        assertThat(s).isEqualTo("{\"a\\\"b\":\"line\\nbreak\\t\\\\ \\u0001\",\"n\":null,\"d\":1.5,\"nan\":null,\"l\":[1,true]}");
    }

    // ======================================================================================
    // Refused commands change nothing
    // ======================================================================================

    static Stream<Arguments> refused() {
        return Stream.of(
                // parse errors
                Arguments.of("-A -t www.example.com:80", UsageException.class),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -w 70000", UsageException.class),
                Arguments.of("-E -t 10.0.0.100:80 -s rr -w 2", UsageException.class),
                Arguments.of("--set 1 2", UsageException.class),
                // the core's refusals
                Arguments.of("-A -t 10.0.0.100:80", ConfigException.class),              // exists
                Arguments.of("-A -t 10.0.0.101:80 -s nosuch", ConfigException.class),    // unknown scheduler
                Arguments.of("-E -t 10.0.0.100:80 -s nosuch", ConfigException.class),
                Arguments.of("-E -t 10.0.0.102:80", ConfigException.class),              // no such service
                Arguments.of("-D -t 10.0.0.102:80", ConfigException.class),
                Arguments.of("-a -t 10.0.0.102:80 -r 10.0.0.11", ConfigException.class),
                Arguments.of("-a -t 10.0.0.100:80 -r 10.0.0.11 -m", ConfigException.class), // server exists
                Arguments.of("-e -t 10.0.0.100:80 -r 10.0.0.99 -m", ConfigException.class), // no such server
                Arguments.of("-d -t 10.0.0.100:80 -r 10.0.0.99", ConfigException.class),
                Arguments.of("-Z -t 10.0.0.102:80", ConfigException.class),
                Arguments.of("-L -t 10.0.0.102:80", ConfigException.class),
                // ipvsadm allows 31 days; the core's timeouts stop at 2147483 s (24.8 days)
                Arguments.of("--set 2678400 0 0", ConfigException.class),
                Arguments.of("--set 3600 0 0", null));                                   // accepted: control line
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void badInputLeavesTheLoadBalancerUnchanged(String line, Class<? extends Throwable> error) {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s rr -p 60", "-a -t 10.0.0.100:80 -r 10.0.0.11 -m -w 2",
                    "-A -u 10.0.0.100:53", "-a -u 10.0.0.100:53 -r 10.0.0.12 -m");
            t.syn("192.0.2.1", 1000, "10.0.0.100", 80);
            Snapshot before = t.lb.snapshot();
            String saved = t.run("-S");
            if (error == null) {
                t.run(line); // the control case: an accepted command does change something
                assertThat(t.lb.snapshot()).isNotEqualTo(before);
                return;
            }
            assertThatThrownBy(() -> t.run(line)).isInstanceOf(error);
            assertThat(t.lb.snapshot()).isEqualTo(before);
            assertThat(t.run("-S")).isEqualTo(saved);
            assertThat(t.lb.connections()).hasSize(2); // the connection and its template
        }
    }

    @Test
    void helpAndVersion() {
        try (TestLb t = new TestLb()) {
            assertThat(t.run("-h")).startsWith(CommandExecutor.VERSION_LINE + "\nUsage:\n").contains("--where");
            assertThat(t.run("-v")).isEqualTo(CommandExecutor.VERSION_LINE + "\n");
            assertThat(CommandExecutor.VERSION_LINE).matches("jvsadm \\(JVS \\d+\\.\\d+\\.\\d+\\S*\\), ipvsadm v1\\.31 compatible \\(IPVS v1\\.2\\.1\\)");
        }
    }
}
