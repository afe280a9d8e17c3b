package org.jvs.bench.takeover;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;

/**
 * Two real keepalived daemons (Debian's 2.2) doing the same VRRP for the VIP: v3, advert 1 s, the same
 * priorities, {@code state BACKUP} with {@code nopreempt}. This kernel has no IPVS, so keepalived cannot
 * balance here; the master's own nginx answers on the VIP keepalived put on its interface, which is what a
 * client sees of a takeover: the first answer through the new holder of the VIP. Connections are not synced.
 */
final class KeepalivedPair implements DirectorPair {
    private final Lab lab;
    private final Map<Host, Node> nodes = new HashMap<>();
    private int starts;

    private record Node(LabProcess process, Path dir) {
    }

    KeepalivedPair(Lab lab) {
        this.lab = lab;
    }

    @Override
    public String system() {
        return "keepalived";
    }

    @Override
    public boolean syncsConnections() {
        return false;
    }

    @Override
    public void start(Host host, int priority) throws Exception {
        int n = ++starts;
        Path dir = lab.workDir().resolve("keepalived-" + n);
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, """
                global_defs {
                    router_id ka%d
                    enable_script_security
                    script_user root
                }
                vrrp_instance VI_WEB {
                    state BACKUP
                    nopreempt
                    interface eth0
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    version 3
                    virtual_ipaddress {
                        %s/32
                    }
                }
                """.formatted(n, priority, Lab.VIP));
        LabProcess p = lab.start(host, "keepalived-" + n + "-" + host.name(), "keepalived", "--dont-fork",
                "--log-console", "--log-detail", "--no-syslog", "--vrrp", "--dont-respawn", "-f", conf.toString(),
                "-p", dir.resolve("keepalived.pid").toString(), "-r", dir.resolve("vrrp.pid").toString());
        p.awaitOutput("Entering", Duration.ofSeconds(15));
        nodes.put(host, new Node(p, dir));
    }

    @Override
    public boolean isMaster(Host host) {
        return host.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout().contains(" " + Lab.VIP + "/");
    }

    @Override
    public boolean isBackup(Host host) {
        Node n = nodes.get(host);
        LabProcess p = n == null ? null : n.process();
        return p != null && p.isAlive() && p.output().contains("Entering BACKUP STATE") && !isMaster(host);
    }

    @Override
    public int connections(Host host) {
        return 0;
    }

    /** SIGKILL to keepalived's VRRP child and then its parent: no priority-0 advert, the VIP left behind. */
    @Override
    public void kill(Host host) throws Exception {
        Node n = nodes.remove(host);
        if (n == null) {
            return;
        }
        LabProcess p = n.process();
        long child = Long.parseLong(Files.readString(n.dir().resolve("vrrp.pid")).strip());
        ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        p.waitFor(Duration.ofSeconds(5));
        await("the VRRP child gone", Duration.ofSeconds(5),
                () -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }

    @Override
    public void cleanUpAfterKill(Host host) {
        host.run(Duration.ofSeconds(5), "ip", "addr", "del", Lab.VIP + "/32", "dev", "eth0");
    }

    @Override
    public void stopAll() {
        for (Node n : nodes.values()) {
            n.process().close();
        }
        nodes.clear();
    }
}
