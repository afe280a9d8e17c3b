package org.jvs.vrrp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvs.vrrp.e2e.VrrpLab.VIP;
import static org.jvs.vrrp.e2e.VrrpLab.await;
import static org.jvs.vrrp.e2e.VrrpLab.hasAddress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jvs.vrrp.InstanceStatus;
import org.jvs.vrrp.TransitionListener;
import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpConfigException;
import org.jvs.vrrp.VrrpDaemon;
import org.jvs.vrrp.VrrpState;
import org.jvs.vrrp.io.VrrpIoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One daemon alone in a namespace: tracking, notify hooks, reload, refusals. Needs root. */
@Timeout(120)
class DaemonTest {
    VrrpLab lab;
    Path dir;

    @BeforeEach
    void lab() throws Exception {
        lab = new VrrpLab();
        dir = lab.lab.workDir();
    }

    @AfterEach
    void teardown() {
        if (lab != null) {
            lab.close();
        }
    }

    static VrrpState stateOf(VrrpDaemon d, String name) {
        InstanceStatus s = d.status(name);
        return s == null ? null : s.state();
    }

    @Test
    void trackingNotifyAndReload() throws Exception {
        Path flag = dir.resolve("healthy");
        Files.writeString(flag, "");
        Path notifyLog = dir.resolve("notify.log");
        Path notify = dir.resolve("notify.sh");
        Files.writeString(notify, "#!/bin/sh\necho \"$@\" >> " + notifyLog + "\n");
        Files.setPosixFilePermissions(notify, PosixFilePermissions.fromString("rwx------"));
        Path masterMark = dir.resolve("was-master");
        VrrpConfig.Script chk = new VrrpConfig.Script("chk", "/bin/sh -c 'test -e " + flag + "'",
                Duration.ofMillis(200), Duration.ofSeconds(2), 0, 1, 2);
        VrrpConfig.Instance vi1 = VrrpConfig.Instance.builder("VI_1", "eth0", 51).version(3)
                .advertInt(Duration.ofMillis(100)).virtualIpaddress(VIP + "/24")
                .trackScript(VrrpConfig.Track.of("chk")).trackService(VrrpConfig.Track.of("web", -50))
                .notifyScript(notify.toString()).notifyMaster("/usr/bin/touch " + masterMark).build();
        List<TransitionListener.Transition> log = VrrpLab.transitions();
        VrrpDaemon d = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(vi1), List.of(chk), List.of()), log);

        await("master", Duration.ofSeconds(5), () -> stateOf(d, "VI_1") == VrrpState.MASTER);
        assertThat(hasAddress(lab.jvs(), VIP)).isTrue();
        InstanceStatus st = d.status("VI_1");
        assertThat(st.priority()).isEqualTo(50); // track_service web never set: down, weight -50
        assertThat(st.configuredPriority()).isEqualTo(100);
        assertThat(st.advertInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(st.masterAddress()).isEqualTo("192.0.2.2");
        d.setTrackedService("web", true);
        await("priority back to 100", Duration.ofSeconds(2), () -> d.status("VI_1").priority() == 100);
        await("notify_master ran", Duration.ofSeconds(5), () -> Files.exists(masterMark));

        // script fails twice (fall 2): FAULT, addresses down
        Files.delete(flag);
        await("fault", Duration.ofSeconds(5), () -> stateOf(d, "VI_1") == VrrpState.FAULT);
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
        Files.writeString(flag, "");
        await("master again", Duration.ofSeconds(5), () -> stateOf(d, "VI_1") == VrrpState.MASTER);

        // reload with a new priority: no transition
        long transitions = d.status("VI_1").counters().transitions();
        VrrpConfig.Instance vi1b = vi1.toBuilder().priority(120).build();
        d.apply(new VrrpConfig(List.of(vi1b), List.of(chk), List.of()));
        Thread.sleep(500);
        assertThat(d.status("VI_1").state()).isEqualTo(VrrpState.MASTER);
        assertThat(d.status("VI_1").configuredPriority()).isEqualTo(120);
        assertThat(d.status("VI_1").counters().transitions()).isEqualTo(transitions);

        // reload that removes VI_1 and adds VI_2: VI_1 stops (addresses down), VI_2 starts
        VrrpConfig.Instance vi2 = VrrpConfig.Instance.builder("VI_2", "eth0", 52).version(3)
                .advertInt(Duration.ofMillis(100)).virtualIpaddress("192.0.2.101/24")
                .notifyScript(notify.toString()).build();
        d.apply(new VrrpConfig(List.of(vi2)));
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
        await("VI_2 master", Duration.ofSeconds(5), () -> stateOf(d, "VI_2") == VrrpState.MASTER);
        assertThat(d.status()).extracting(InstanceStatus::name).containsExactly("VI_2");
        assertThat(hasAddress(lab.jvs(), "192.0.2.101")).isTrue();
        d.close();
        assertThat(hasAddress(lab.jvs(), "192.0.2.101")).isFalse();

        List<String> lines = Files.readAllLines(notifyLog);
        assertThat(lines).containsSubsequence("INSTANCE VI_1 BACKUP 50", "INSTANCE VI_1 MASTER 50",
                "INSTANCE VI_1 FAULT 100", "INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100",
                "INSTANCE VI_1 STOP 120");
        assertThat(lines).contains("INSTANCE VI_2 BACKUP 100", "INSTANCE VI_2 MASTER 100", "INSTANCE VI_2 STOP 100");
        assertThat(log).extracting(t -> t.instance() + ":" + t.to()).containsSubsequence("VI_1:BACKUP", "VI_1:MASTER",
                "VI_1:FAULT", "VI_1:BACKUP", "VI_1:MASTER", "VI_1:STOP", "VI_2:BACKUP", "VI_2:MASTER", "VI_2:STOP");
    }

    @Test
    void trackedInterfaceDownMeansFaultAndAWeightedOneLowersThePriority() throws Exception {
        for (String n : List.of("dummy0", "dummy1")) { // veth pairs: no dummy module on every kernel
            lab.jvs().exec("ip", "link", "add", n, "type", "veth", "peer", "name", n + "p");
            lab.jvs().exec("ip", "link", "set", n + "p", "up");
            lab.jvs().exec("ip", "link", "set", n, "up");
        }
        VrrpConfig.Instance vi = VrrpConfig.Instance.builder("VI_1", "eth0", 51).version(3)
                .advertInt(Duration.ofMillis(100)).virtualIpaddress(VIP + "/24")
                .trackInterface(VrrpConfig.Track.of("dummy0"), VrrpConfig.Track.of("dummy1", -30)).build();
        VrrpDaemon d = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(vi)), null);
        await("master", Duration.ofSeconds(5), () -> stateOf(d, "VI_1") == VrrpState.MASTER);
        lab.jvs().exec("ip", "link", "set", "dummy1", "down");
        await("priority 70", Duration.ofSeconds(2), () -> d.status("VI_1").priority() == 70);
        lab.jvs().exec("ip", "link", "set", "dummy0p", "down"); // carrier lost
        await("fault", Duration.ofSeconds(2), () -> stateOf(d, "VI_1") == VrrpState.FAULT);
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
        lab.jvs().exec("ip", "link", "set", "dummy0p", "up");
        await("master", Duration.ofSeconds(3), () -> stateOf(d, "VI_1") == VrrpState.MASTER);
    }

    @Test
    void aMissingInterfaceFailsStart() {
        VrrpDaemon d = new VrrpDaemon(new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "nosuch0", 1).build())));
        assertThatThrownBy(() -> lab.jvs().call(() -> {
            d.start();
            return null;
        })).isInstanceOf(VrrpIoException.class).hasMessageContaining("nosuch0")
                .hasMessageContaining("no network interface of that name in this network namespace");
        VrrpDaemon t = new VrrpDaemon(new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "eth0", 1)
                .trackInterface(VrrpConfig.Track.of("nosuch1")).build())));
        assertThatThrownBy(() -> lab.jvs().call(() -> {
            t.start();
            return null;
        })).isInstanceOf(VrrpConfigException.class).hasMessageContaining("vrrp_instance VI_1: track_interface nosuch1");
    }

    @Test
    void withoutCapNetRawStartIsRefusedClearly() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--",
                java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, RawSocketProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("REFUSED VrrpIoException: VRRP raw socket: Operation not permitted (EPERM): "
                + "VRRP needs CAP_NET_RAW; run as root or grant the capability");
    }
}
