package org.jvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.cli.TestLb.lines;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The listings against literal ipvsadm 1.31 output. Expected text marks the end of a line that has trailing
 * blanks with {@code |} (ipvsadm pads its last columns, and text blocks would strip the blanks).
 *
 * <p>The table is built out of order on purpose: ipvsadm sorts services by fwmark, family, protocol, address
 * and port, and real servers by address and port.
 */
class IpvsadmFormatTest {

    private TestLb t;

    @BeforeEach
    void table() {
        t = new TestLb();
        t.runAll("-A -u 10.0.0.100:53 -s sh -b sh-port,sh-fallback -o",
                "-a -u 10.0.0.100:53 -r 10.0.0.13 -i --tun-type gue --tun-port 6080",
                "-A -f 7 -6 -s rr -p",
                "-a -f 7 -6 -r [2001:db8::5]:443 -i --tun-type gre",
                "-A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0",
                "-a -t 10.0.0.100:80 -r 10.0.0.12:8080 -m -w 2 -x 100 -y 50",
                "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 3",
                "-A --sctp-service [2001:db8::1]:9000 -s mh -b mh-port --engine packet",
                "-a --sctp-service [2001:db8::1]:9000 -r [2001:db8::21]:9000 -m");
    }

    @AfterEach
    void close() {
        t.close();
    }

    /** Five persistent clients of one /24 (all to the first wlc pick, 10.0.0.12), one big transfer, one SCTP association. */
    private void traffic() {
        for (int i = 0; i < 5; i++) {
            t.syn("192.0.2." + (i + 1), 40000 + i, "10.0.0.100", 80);
            t.ack("192.0.2." + (i + 1), 40000 + i, "10.0.0.100", 80, 1500);
        }
        t.ack("192.0.2.1", 40000, "10.0.0.100", 80, 1_500_000_000);
        t.ack("192.0.2.1", 40000, "10.0.0.100", 80, 1_500_000_000);
        t.packet(132, "2001:db8::99", 5000, "2001:db8::1", 9000, 0, 100);
    }

    @Test
    void listNumeric() {
        traffic();
        assertThat(t.run("-L -n")).isEqualTo(lines("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.11:80                 Route   3      0          0         |
                  -> 10.0.0.12:8080               Masq    2      5          0         |
                UDP  10.0.0.100:53 sh (sh-fallback,sh-port) ops
                  -> 10.0.0.13:53                 Tunnel  1      0          0         |
                SCTP [2001:db8::1]:9000 mh (mh-port)
                  -> [2001:db8::21]:9000          Masq    1      0          1         |
                FWM  7 IPv6 rr persistent 360
                  -> [2001:db8::5]:0              Tunnel  1      0          0         |
                """));
    }

    @Test
    void withoutNumericStillNumeric() {
        assertThat(t.run("-L")).isEqualTo(t.run("-L -n"));
        assertThat(t.run("")).isEqualTo(t.run("-L -n"));
    }

    @Test
    void nosortKeepsTheOrderOfAdding() {
        assertThat(t.run("-L -n --nosort")).isEqualTo(lines("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                UDP  10.0.0.100:53 sh (sh-fallback,sh-port) ops
                  -> 10.0.0.13:53                 Tunnel  1      0          0         |
                FWM  7 IPv6 rr persistent 360
                  -> [2001:db8::5]:0              Tunnel  1      0          0         |
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.12:8080               Masq    2      0          0         |
                  -> 10.0.0.11:80                 Route   3      0          0         |
                SCTP [2001:db8::1]:9000 mh (mh-port)
                  -> [2001:db8::21]:9000          Masq    1      0          0         |
                """));
        assertThat(t.run("-L -n --sort")).isEqualTo(t.run("-L -n"));
    }

    @Test
    void stats() {
        traffic();
        assertThat(t.run("-L -n --stats")).isEqualTo("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80                       5       12        0    3000M        0
                  -> 10.0.0.11:80                        0        0        0        0        0
                  -> 10.0.0.12:8080                      5       12        0    3000M        0
                UDP  10.0.0.100:53                       0        0        0        0        0
                  -> 10.0.0.13:53                        0        0        0        0        0
                SCTP [2001:db8::1]:9000                  1        1        0      100        0
                  -> [2001:db8::21]:9000                 1        1        0      100        0
                FWM  7 IPv6                              0        0        0        0        0
                  -> [2001:db8::5]:0                     0        0        0        0        0
                """);
    }

    @Test
    void statsExact() {
        traffic();
        assertThat(t.run("-L -n --stats --exact")).isEqualTo("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80                       5       12        0 3000007800        0
                  -> 10.0.0.11:80                        0        0        0        0        0
                  -> 10.0.0.12:8080                      5       12        0 3000007800        0
                UDP  10.0.0.100:53                       0        0        0        0        0
                  -> 10.0.0.13:53                        0        0        0        0        0
                SCTP [2001:db8::1]:9000                  1        1        0      100        0
                  -> [2001:db8::21]:9000                 1        1        0      100        0
                FWM  7 IPv6                              0        0        0        0        0
                  -> [2001:db8::5]:0                     0        0        0        0        0
                """);
    }

    @Test
    void rate() {
        traffic();
        t.clock.advanceSeconds(2);
        t.lb.housekeeping(); // first estimate: a quarter of the 2-second rate (avg += (rate - avg) / 4)
        // TCP: 5 conns in 2 s -> 2.5/s, a quarter is 0.625 -> 1; 12 packets -> 6/s -> 1.5 -> 1 (the kernel rounds
        // halves down); 3000007800 bytes -> 1500003900/s -> 375000975 -> 375000K. SCTP: 100 bytes -> 12.5 -> 12.
        assertThat(t.run("-L -n --rate")).isEqualTo("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80                       1        1        0  375000K        0
                  -> 10.0.0.11:80                        0        0        0        0        0
                  -> 10.0.0.12:8080                      1        1        0  375000K        0
                UDP  10.0.0.100:53                       0        0        0        0        0
                  -> 10.0.0.13:53                        0        0        0        0        0
                SCTP [2001:db8::1]:9000                  0        0        0       12        0
                  -> [2001:db8::21]:9000                 0        0        0       12        0
                FWM  7 IPv6                              0        0        0        0        0
                  -> [2001:db8::5]:0                     0        0        0        0        0
                """);
        assertThat(t.run("-L -n --rate --exact")).contains(
                "TCP  10.0.0.100:80                       1        1        0 375000975        0\n");
    }

    @Test
    void thresholds() {
        assertThat(t.run("-L -n --thresholds")).isEqualTo(lines("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn |
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.11:80                 0          0          0          0         |
                  -> 10.0.0.12:8080               100        50         0          0         |
                UDP  10.0.0.100:53 sh (sh-fallback,sh-port) ops
                  -> 10.0.0.13:53                 0          0          0          0         |
                SCTP [2001:db8::1]:9000 mh (mh-port)
                  -> [2001:db8::21]:9000          0          0          0          0         |
                FWM  7 IPv6 rr persistent 360
                  -> [2001:db8::5]:0              0          0          0          0         |
                """));
    }

    @Test
    void persistentConn() {
        traffic();
        assertThat(t.run("-L -n --persistent-conn")).isEqualTo(lines("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn |
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.11:80                 3         0           0          0         |
                  -> 10.0.0.12:8080               2         1           5          0         |
                UDP  10.0.0.100:53 sh (sh-fallback,sh-port) ops
                  -> 10.0.0.13:53                 1         0           0          0         |
                SCTP [2001:db8::1]:9000 mh (mh-port)
                  -> [2001:db8::21]:9000          1         0           0          1         |
                FWM  7 IPv6 rr persistent 360
                  -> [2001:db8::5]:0              1         0           0          0         |
                """));
    }

    @Test
    void tunnelInfo() {
        assertThat(t.run("-L -n --tun-info")).isEqualTo(lines("""
                IP Virtual Server version 1.2.1 (size=512)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.11:80                 Route   n/a           3      0          0         |
                  -> 10.0.0.12:8080               Masq    n/a           2      0          0         |
                UDP  10.0.0.100:53 sh (sh-fallback,sh-port) ops
                  -> 10.0.0.13:53                 Tunnel  gue:6080:-c   1      0          0         |
                SCTP [2001:db8::1]:9000 mh (mh-port)
                  -> [2001:db8::21]:9000          Masq    n/a           1      0          0         |
                FWM  7 IPv6 rr persistent 360
                  -> [2001:db8::5]:0              Tunnel  gre:-c        1      0          0         |
                """));
    }

    @Test
    void oneServiceHasNoVersionHeader() {
        traffic();
        assertThat(t.run("-L -n -t 10.0.0.100:80")).isEqualTo(lines("""
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0
                  -> 10.0.0.11:80                 Route   3      0          0         |
                  -> 10.0.0.12:8080               Masq    2      5          0         |
                """));
        assertThat(t.run("-L -n -f 7 -6 --stats")).isEqualTo("""
                Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                  -> RemoteAddress:Port
                FWM  7 IPv6                              0        0        0        0        0
                  -> [2001:db8::5]:0                     0        0        0        0        0
                """);
    }

    @Test
    void connections() {
        traffic();
        t.clock.advanceSeconds(65); // 900 - 65 = 835 s = 13:55; the template: 360 - 65 = 295 s = 04:55
        assertThat(t.run("-L -n -c")).isEqualTo("""
                IPVS connection entries
                pro expire state       source             virtual            destination
                TCP 04:55  NONE        192.0.2.0:0        10.0.0.100:80      10.0.0.12:8080
                TCP 13:55  ESTABLISHED 192.0.2.1:40000    10.0.0.100:80      10.0.0.12:8080
                TCP 13:55  ESTABLISHED 192.0.2.2:40001    10.0.0.100:80      10.0.0.12:8080
                TCP 13:55  ESTABLISHED 192.0.2.3:40002    10.0.0.100:80      10.0.0.12:8080
                TCP 13:55  ESTABLISHED 192.0.2.4:40003    10.0.0.100:80      10.0.0.12:8080
                TCP 13:55  ESTABLISHED 192.0.2.5:40004    10.0.0.100:80      10.0.0.12:8080
                SCTP 13:55  SCTP        [2001:db8::99]:5000 [2001:db8::1]:9000 [2001:db8::21]:9000
                """);
        assertThat(t.run("-L -n -c --persistent-conn")).startsWith("""
                IPVS connection entries
                pro expire state       source             virtual            destination        pe name          pe_data
                TCP 04:55  NONE        192.0.2.0:0        10.0.0.100:80      10.0.0.12:8080
                """);
    }

    @Test
    void timeouts() {
        assertThat(t.run("-L --timeout")).isEqualTo("Timeout (tcp tcpfin udp): 900 120 300\n");
        t.run("--set 3600 0 60");
        assertThat(t.run("-L -n --timeout")).isEqualTo("Timeout (tcp tcpfin udp): 3600 120 60\n");
    }

    @Test
    void daemonListsNothingSinceNoneRuns() {
        assertThat(t.run("-L --daemon")).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> [{1}] exact [{2}]")
    @CsvSource(delimiter = ';', value = {
            "0;        0;        0",
            "5;        5;        5",
            "99999999; 99999999; 99999999",
            "100000000;  100000K; 100000000",
            "999999999;  999999K; 999999999",
            "1000000000;     1000M; 1000000000",
            "99999999999;    99999M; 99999999999",
            "100000000000;      100G; 100000000000",
            "99999999999999;    99999G; 99999999999999",
            "100000000000000;      100T; 100000000000000",
            "-1; 18446744T; 18446744073709551615"})
    void largeNumbers(long value, String abbreviated, String exact) {
        // CsvSource trims: rebuild the fixed widths (nine columns, or one blank before a longer exact value)
        assertThat(IpvsadmFormat.largeNum(value, false)).isEqualTo(" ".repeat(9 - abbreviated.length()) + abbreviated);
        assertThat(IpvsadmFormat.largeNum(value, true)).isEqualTo(" ".repeat(Math.max(1, 9 - exact.length())) + exact);
    }

    @Test
    void largeNumberWidthsAsLiterals() {
        assertThat(IpvsadmFormat.largeNum(7, false)).isEqualTo("        7");
        assertThat(IpvsadmFormat.largeNum(123_456_789, false)).isEqualTo("  123456K");
        assertThat(IpvsadmFormat.largeNum(123_456_789, true)).isEqualTo(" 123456789");
        assertThat(IpvsadmFormat.largeNum(12_345_678_901L, false)).isEqualTo("   12345M");
    }

    @ParameterizedTest
    @CsvSource({"0,0", "0.5,0", "0.51,1", "1.5,1", "1.625,2", "2.5,2", "975,975", "12.5,12"})
    void ratesRoundLikeTheKernel(double perSecond, long shown) {
        assertThat(IpvsadmFormat.rate(perSecond)).isEqualTo(shown);
    }
}
