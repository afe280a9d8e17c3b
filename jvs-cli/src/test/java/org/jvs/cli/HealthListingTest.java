package org.jvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

/** {@code -L --health} and the health fields of {@code --json}, from a director's (here: fixed) health data. */
class HealthListingTest {
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);

    static final HealthSource HEALTH = new HealthSource() {
        @Override
        public DestHealth dest(ServiceKey service, IpAddr address, int port) {
            return address.equals(IpAddr.parse("10.0.0.11"))
                    ? new DestHealth(address, port, "Masq", "http", "UP(SLOW)", 4, 0.5, "status 200 in 2 ms", 1500, 9000) : null;
        }

        @Override
        public List<DestHealth> absent(ServiceKey service) {
            return service.equals(WEB) ? List.of(new DestHealth(IpAddr.parse("10.0.0.12"), 80, "Masq", "http", "DOWN", 1, 0.0,
                    "connect refused", -1, 3000)) : List.of();
        }

        @Override
        public ServiceHealth service(ServiceKey service) {
            return service.equals(WEB) ? new ServiceHealth(true, 4, 1, 0, "10.0.0.99:80", false) : null;
        }
    };

    static String run(TestLb t, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            CommandExecutor.execute(t.lb, IpvsadmParser.parse(Arrays.asList(line.split(" "))), out, HEALTH);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void healthListing() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 4",
                    "-a -t 10.0.0.100:80 -r 10.0.0.13:80 -m -w 1", "-A -u 10.0.0.100:53");
            assertThat(run(t, "-L -n --health")).isEqualTo("""
                    IP Virtual Server version 1.2.1 (size=512)
                    Prot LocalAddress:Port Scheduler Flags
                      -> RemoteAddress:Port           Forward Weight State      Check  Last check
                    TCP  10.0.0.100:80 rr  quorum up 4/1, sorry 10.0.0.99:80 standby
                      -> 10.0.0.11:80                 Masq    4      UP(SLOW)   http   status 200 in 2 ms (1 s ago)
                      -> 10.0.0.13:80                 Masq    1      -          none   -
                      -> 10.0.0.12:80                 Masq    -      DOWN       http   connect refused
                    UDP  10.0.0.100:53 wlc
                    """);
            assertThat(run(t, "-L -n -t 10.0.0.100:80 --health")).startsWith("""
                    Prot LocalAddress:Port Scheduler Flags
                      -> RemoteAddress:Port           Forward Weight State      Check  Last check
                    TCP  10.0.0.100:80 rr  quorum up 4/1""");
            assertThat(run(t, "-L -n")).as("without --health: ipvsadm's listing").contains("Forward Weight ActiveConn InActConn")
                    .doesNotContain("10.0.0.12");
        }
    }

    @Test
    void jsonCarriesTheHealthWhenADirectorHasIt() {
        try (TestLb t = new TestLb()) {
            t.runAll("-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 4");
            String json = run(t, "-L --json");
            assertThat(json).contains("\"health\":{\"state\":\"UP(SLOW)\",\"check\":\"http\",\"factor\":0.5,\"reason\":\"status 200 in 2 ms\","
                    + "\"lastCheckAgoMs\":1500,\"sinceMs\":9000}");
            assertThat(json).contains("\"health\":{\"quorumUp\":true,\"liveWeight\":4,\"quorum\":1,\"hysteresis\":0,"
                    + "\"sorryServer\":\"10.0.0.99:80\",\"sorryActive\":false},\"removedByHealth\":[{\"address\":\"10.0.0.12\",\"port\":80,"
                    + "\"forward\":\"Masq\",\"configuredWeight\":1,\"health\":{\"state\":\"DOWN\"");
            assertThat(t.run("-L --json")).as("no health source: the plain fields only").doesNotContain("health");
        }
    }

    @Test
    void healthIsALongOptionOfTheListCommandOnly() {
        assertThat(((IpvsadmCommand.List) IpvsadmParser.parse("-L", "-n", "--health")).health()).isTrue();
        assertThat(((IpvsadmCommand.List) IpvsadmParser.parse("-L", "-n")).health()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IpvsadmParser.parse("-A", "-t", "10.0.0.1:80", "--health"))
                .isInstanceOf(UsageException.class);
    }
}
