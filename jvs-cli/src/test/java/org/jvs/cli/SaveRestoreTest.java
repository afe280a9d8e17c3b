package org.jvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.jvs.core.model.ConfigException;
import org.jvs.core.view.Snapshot;

class SaveRestoreTest {

    /** A table with everything -S has to carry: every key kind, persistence masks, flags, tunnels, extras. */
    private static final String[] RICH = {
            "-A -t 10.0.0.100:80 -s wlc -p 360",
            "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 3",
            "-a -t 10.0.0.100:80 -r 10.0.0.12 -g -w 0",
            "-A -t 10.0.0.100:443 -s rr -p 1800 -M 255.255.255.0",
            "-a -t 10.0.0.100:443 -r 10.0.0.21:8443 -m -w 5 -x 1000 -y 700",
            "-a -t 10.0.0.100:443 -r 10.0.0.22:8443 -m -x 200",
            "-A -t 10.0.0.100:0 -s lc -p -M /16",
            "-a -t 10.0.0.100:0 -r 10.0.0.31 -i",
            "-A -u 10.0.0.100:53 -s sh -b sh-fallback,sh-port -o",
            "-a -u 10.0.0.100:53 -r 10.0.0.41 -i --tun-type gue --tun-port 6080 --tun-nocsum",
            "-a -u 10.0.0.100:53 -r 10.0.0.42 -i --tun-type gre",
            "-A -u 10.0.0.100:123 -s mh -b mh-port --engine packet",
            "-a -u 10.0.0.100:123 -r 10.0.0.51:123 --fullnat --proxy-protocol v2",
            "-A -t 10.0.0.100:8080 -s wrr -b flag-1",
            "-a -t 10.0.0.100:8080 -r 10.0.0.61:80 -m --proxy-protocol v1 -w 7",
            "-A --sctp-service 10.0.0.100:3868 -s sed",
            "-a --sctp-service 10.0.0.100:3868 -r 10.0.0.71:3868 -m",
            "-A -t [2001:db8::100]:80 -s nq -p 600 -M 64",
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -m -w 2",
            "-a -t [2001:db8::100]:80 -r 10.0.0.81 -i",
            "-A -f 1 -s wlc -p 120",
            "-a -f 1 -r 10.0.0.91 -g",
            "-a -f 1 -r 10.0.0.92:0 -g -w 4",
            "-A -f 2 -6 -s rr -p -M 48",
            "-a -f 2 -6 -r 2001:db8::91 -g",
            "-A -f 3 -s fo -o",
    };

    @Test
    void saveIsIpvsadmFormatSorted() {
        try (TestLb t = new TestLb()) {
            t.runAll(RICH);
            assertThat(t.run("-S")).isEqualTo("""
                    -A -t 10.0.0.100:0 -s lc -p 360 -M 255.255.0.0
                    -a -t 10.0.0.100:0 -r 10.0.0.31:0 -i -w 1 --tun-type ipip
                    -A -t 10.0.0.100:80 -s wlc -p 360
                    -a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 3
                    -a -t 10.0.0.100:80 -r 10.0.0.12:80 -g -w 0
                    -A -t 10.0.0.100:443 -s rr -p 1800 -M 255.255.255.0
                    -a -t 10.0.0.100:443 -r 10.0.0.21:8443 -m -w 5 -x 1000 -y 700
                    -a -t 10.0.0.100:443 -r 10.0.0.22:8443 -m -w 1 -x 200
                    -A -t 10.0.0.100:8080 -s wrr -b flag-1
                    -a -t 10.0.0.100:8080 -r 10.0.0.61:80 -m -w 7 --proxy-protocol v1
                    -A -u 10.0.0.100:53 -s sh -o -b sh-fallback,sh-port
                    -a -u 10.0.0.100:53 -r 10.0.0.41:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
                    -a -u 10.0.0.100:53 -r 10.0.0.42:53 -i -w 1 --tun-type gre --tun-nocsum
                    -A -u 10.0.0.100:123 -s mh -b mh-port --engine packet
                    -a -u 10.0.0.100:123 -r 10.0.0.51:123 --fullnat -w 1 --proxy-protocol v2
                    -A --sctp-service 10.0.0.100:3868 -s sed
                    -a --sctp-service 10.0.0.100:3868 -r 10.0.0.71:3868 -m -w 1
                    -A -t [2001:db8::100]:80 -s nq -p 600 -M 64
                    -a -t [2001:db8::100]:80 -r 10.0.0.81:80 -i -w 1 --tun-type ipip
                    -a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -m -w 2
                    -A -f 1 -s wlc -p 120
                    -a -f 1 -r 10.0.0.91:0 -g -w 1
                    -a -f 1 -r 10.0.0.92:0 -g -w 4
                    -A -f 2 -6 -s rr -p 360 -M 48
                    -a -f 2 -6 -r [2001:db8::91]:0 -g -w 1
                    -A -f 3 -s fo -o
                    """);
            assertThat(t.run("-S -n")).isEqualTo(t.run("-S"));
        }
    }

    @Test
    void saveRestoreSaveIsTheIdentity() {
        String saved;
        Snapshot before;
        try (TestLb a = new TestLb()) {
            a.runAll(RICH);
            saved = a.run("-S");
            before = a.lb.snapshot();
        }
        try (TestLb b = new TestLb()) {
            b.run(new IpvsadmCommand.Restore(saved));
            assertThat(b.run("-S")).isEqualTo(saved);
            // not only the text: every service and server setting came back (the listing order aside)
            assertThat(sortedSpecs(b.lb.snapshot())).isEqualTo(sortedSpecs(before));
        }
    }

    private static String sortedSpecs(Snapshot s) {
        StringBuilder sb = new StringBuilder();
        IpvsadmFormat.ordered(s.services(), true).forEach(v -> {
            sb.append(v.spec()).append('\n');
            IpvsadmFormat.orderedDests(v.dests(), true).forEach(d -> sb.append("  ").append(d.spec()).append('\n'));
        });
        return sb.toString();
    }

    @Test
    void restoresWhatRealIpvsadmSaves() {
        // As ipvsadm-save writes it (with a comment and blank line added, and the program name some files carry)
        String file = """
                # saved by ipvsadm -S
                -A -t 192.168.1.10:80 -s rr -p 300 -M 255.255.255.0

                -a -t 192.168.1.10:80 -r 192.168.1.21:80 -g -w 1
                -a -t 192.168.1.10:80 -r 192.168.1.22:80 -g -w 1   # second server
                ipvsadm -A -u 192.168.1.10:53 -s wlc
                -a -u 192.168.1.10:53 -r 192.168.1.31:53 -m -w 2
                """;
        try (TestLb t = new TestLb()) {
            t.run(new IpvsadmCommand.Restore(file));
            assertThat(t.run("-S")).isEqualTo("""
                    -A -t 192.168.1.10:80 -s rr -p 300 -M 255.255.255.0
                    -a -t 192.168.1.10:80 -r 192.168.1.21:80 -g -w 1
                    -a -t 192.168.1.10:80 -r 192.168.1.22:80 -g -w 1
                    -A -u 192.168.1.10:53 -s wlc
                    -a -u 192.168.1.10:53 -r 192.168.1.31:53 -m -w 2
                    """);
        }
    }

    @Test
    void aSyntaxErrorAnywhereRestoresNothing() {
        try (TestLb t = new TestLb()) {
            t.run("-A -t 10.0.0.1:80");
            Snapshot before = t.lb.snapshot();
            String file = "-A -t 10.0.0.2:80\n-a -t 10.0.0.2:80 -r 10.0.0.3\n\n-a -t 10.0.0.2:80 -r 10.0.0.4 -w lots\n";
            assertThatThrownBy(() -> t.run(new IpvsadmCommand.Restore(file)))
                    .isInstanceOf(UsageException.class).hasMessage("line 4: illegal weight specified");
            assertThat(t.lb.snapshot()).isEqualTo(before);
        }
    }

    @Test
    void theCoreRefusingALineStopsThereAndNamesIt() {
        try (TestLb t = new TestLb()) {
            String file = "-A -t 10.0.0.2:80\n-a -t 10.0.0.2:80 -r 10.0.0.3\n-A -t 10.0.0.2:80\n-a -t 10.0.0.2:80 -r 10.0.0.4\n";
            assertThatThrownBy(() -> t.run(new IpvsadmCommand.Restore(file)))
                    .isInstanceOf(ConfigException.class).hasMessage("line 3: service tcp 10.0.0.2:80 already exists");
            // as with ipvsadm -R, the lines before the refused one stay applied
            assertThat(t.run("-S")).isEqualTo("-A -t 10.0.0.2:80 -s wlc\n-a -t 10.0.0.2:80 -r 10.0.0.3:80 -g -w 1\n");
        }
    }

    @Test
    void restoreNeedsInputAndDoesNotNest() {
        try (TestLb t = new TestLb()) {
            assertThatThrownBy(() -> t.run("-R")).isInstanceOf(UsageException.class)
                    .hasMessage("-R reads rules from standard input, and none was given");
            assertThatThrownBy(() -> t.run(new IpvsadmCommand.Restore("-C\n-R\n"))).isInstanceOf(UsageException.class)
                    .hasMessage("line 2: -R cannot be used inside a restore");
        }
    }

    @Test
    void restoreSplitsWordsAsIpvsadmDoes() {
        assertThat(CommandExecutor.words("  ipvsadm -A\t-t 10.0.0.1:80   # web\r")).containsExactly("-A", "-t", "10.0.0.1:80");
        assertThat(CommandExecutor.words("# only a comment")).isEmpty();
        assertThat(CommandExecutor.words("   ")).isEmpty();
    }
}
