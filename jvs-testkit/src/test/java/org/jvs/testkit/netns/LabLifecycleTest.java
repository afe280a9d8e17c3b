package org.jvs.testkit.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Labs clean up whatever happened, and lab commands fail with messages that say why. Root; never skipped. */
class LabLifecycleTest {

    private static List<String> namespacesOf(String prefix) {
        return Lab.namespaces().stream().filter(n -> n.startsWith(prefix + "-")).toList();
    }

    @Test
    void aLabClosedAfterAnExceptionLeavesNoNamespaceAndNoProcess() throws Exception {
        String[] prefix = new String[1];
        Path[] dir = new Path[1];
        Process[] stray = new Process[1];
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Lab lab = Lab.nat(2)) {
                prefix[0] = lab.prefix();
                dir[0] = lab.workDir();
                assertEquals(5, namespacesOf(prefix[0]).size(), "switch, client, director, rs1, rs2");
                lab.start(lab.director(), "sleeper", "sleep", "60");
                // a process the lab did not start: found by 'ip netns pids' and killed all the same
                stray[0] = new ProcessBuilder(lab.realServer(1).wrap(List.of("sleep", "60"))).start();
                throw new IllegalStateException("test failure inside the lab");
            }
        });
        assertEquals("test failure inside the lab", thrown.getMessage());
        assertEquals(List.of(), namespacesOf(prefix[0]));
        assertTrue(stray[0].waitFor(5, TimeUnit.SECONDS), "process in a lab namespace still running");
        assertFalse(Files.exists(dir[0]), "the lab's temporary directory is deleted");
    }

    @Test
    void labsWhoseJvmDiedAreSweptAndLiveOnesAreNot() throws Exception {
        String stale1 = Lab.FAMILY + deadPid() + "-beef-client";
        String stale2 = Lab.FAMILY + deadPid() + "-cafe-rs1";
        Commands.check("ip", "netns", "add", stale1);
        try (Lab live = Lab.dr(1)) {
            assertFalse(Lab.namespaces().contains(stale1), "building a lab sweeps stale ones first");
            Commands.check("ip", "netns", "add", stale2);
            assertEquals(List.of(stale2), Lab.sweepStale().stream().filter(n -> n.equals(stale2)).toList());
            assertFalse(Lab.namespaces().contains(stale2));
            assertEquals(4, namespacesOf(live.prefix()).size(), "a live lab is left alone");
        } finally {
            for (String ns : List.of(stale1, stale2)) {
                Commands.run(Commands.DEFAULT_TIMEOUT, null, List.of("ip", "netns", "del", ns));
            }
        }
    }

    /** The pid of a process that has exited (and been reaped). */
    private static long deadPid() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(5, TimeUnit.SECONDS));
        return gone.pid();
    }

    @Test
    void aFailingCommandNamesItselfAndItsStderr() {
        try (Lab lab = Lab.dr(1)) {
            CommandException e = assertThrows(CommandException.class,
                    () -> lab.client().exec("ip", "route", "add", "198.51.100.0/24", "via", "10.99.99.99"));
            assertTrue(e.getMessage().startsWith("ip netns exec " + lab.client().namespace() + " ip route add"), e.getMessage());
            assertTrue(e.getMessage().contains("exit status 2"), e.getMessage());
            assertTrue(e.getMessage().contains("Nexthop has invalid gateway"), e.getMessage());
            assertEquals(2, e.result().exitCode());

            CommandException slow = assertThrows(CommandException.class,
                    () -> lab.client().exec(Duration.ofMillis(300), "sleep", "10"));
            assertTrue(slow.getMessage().contains("no exit within 300 ms"), slow.getMessage());

            IllegalArgumentException noIface = assertThrows(IllegalArgumentException.class, () -> lab.client().iface("eth7"));
            assertEquals("client has no interface eth7 (has [eth0])", noIface.getMessage());
            assertThrows(IllegalStateException.class, () -> lab.kernelDnatRoundRobin(80), "DNAT needs the NAT topology");
        }
    }

    @Test
    void badLabSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lab.builder(Lab.Topology.DR).realServers(0));
        assertEquals("real servers: 0 out of range 1..100", e.getMessage());
    }

    @Test
    void wrkReportsAreReadAndNonReportsRefused() {
        WrkResult r = WrkResult.parse("""
                  1 threads and 8 connections
                  12345 requests in 3.00s, 1.80MB read
                  Socket errors: connect 1, read 2, write 3, timeout 4
                  Non-2xx or 3xx responses: 5
                """);
        assertEquals(12345, r.requests());
        assertEquals(10, r.socketErrors());
        assertEquals(5, r.non2xx());
        assertThrows(IllegalArgumentException.class, () -> WrkResult.parse("unable to connect to 203.0.113.10:80"));
    }
}
