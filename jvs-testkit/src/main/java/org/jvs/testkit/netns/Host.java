package org.jvs.testkit.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One machine of a lab: a network namespace with a role name ({@code client}, {@code director},
 * {@code rs1}..., {@code switch}) and its interfaces. Commands run in it through {@code ip netns exec}, which
 * also gives them a {@code /sys} of the namespace, so {@code /sys/class/net} shows this host's devices.
 */
public final class Host {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String name;
    private final String namespace;
    private final List<Iface> interfaces = new ArrayList<>();

    Host(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }

    /** The role name: {@code client}, {@code director}, {@code rs1}, ... or {@code switch}. */
    public String name() {
        return name;
    }

    /** The namespace's name, for {@code ip netns exec} and {@code ip -n}. */
    public String namespace() {
        return namespace;
    }

    public List<Iface> interfaces() {
        return Collections.unmodifiableList(interfaces);
    }

    public Iface iface(String ifname) {
        return interfaces.stream().filter(i -> i.name().equals(ifname)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no interface " + ifname + " (has "
                        + interfaces.stream().map(Iface::name).toList() + ")"));
    }

    /** The address of the host's first addressed interface ({@code eth0}). */
    public String address() {
        return interfaces.stream().filter(i -> i.address() != null).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " has no address")).address();
    }

    void add(Iface iface) {
        interfaces.add(iface);
    }

    /** {@code ip netns exec NS command...}, for callers that start the process themselves. */
    public List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /** Runs a command in this namespace (20 s bound); a non-zero exit throws with the command's stderr. */
    public CommandResult exec(String... command) {
        return exec(Commands.DEFAULT_TIMEOUT, command);
    }

    public CommandResult exec(Duration timeout, String... command) {
        return Commands.check(timeout, null, wrap(List.of(command)));
    }

    /** As {@link #exec}, with {@code stdin} fed to the command (e.g. an nft ruleset). */
    public CommandResult execWithInput(String stdin, String... command) {
        return Commands.check(Commands.DEFAULT_TIMEOUT, stdin, wrap(List.of(command)));
    }

    /** Runs a command in this namespace and returns its result whatever the exit status (timeouts still throw). */
    public CommandResult run(Duration timeout, String... command) {
        return Commands.run(timeout, null, wrap(List.of(command)));
    }

    /** Sets sysctls of this namespace, e.g. {@code sysctl("net.ipv4.ip_forward=1")}. */
    public void sysctl(String... assignments) {
        List<String> cmd = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(assignments));
        exec(cmd.toArray(String[]::new));
    }

    /** Reads one sysctl of this namespace. */
    public String sysctlValue(String key) {
        return exec("sysctl", "-n", key).stdout().strip();
    }

    /** Loads an nftables ruleset into this namespace ({@code nft -f -}). */
    public void nft(String ruleset) {
        execWithInput(ruleset, "nft", "-f", "-");
    }

    /** The MAC address of an interface, {@code aa:bb:cc:dd:ee:ff}. */
    public String mac(String ifname) {
        String out = Commands.check("ip", "-n", namespace, "-o", "link", "show", "dev", ifname).stdout();
        Matcher m = MAC.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no Ethernet address on " + ifname + ": " + out.strip());
        }
        return m.group(1);
    }

    /** One counter of {@code /sys/class/net/IF/statistics} (rx_packets, tx_packets, rx_dropped, ...). */
    public long counter(String ifname, String statistic) {
        return Long.parseLong(exec("cat", "/sys/class/net/" + ifname + "/statistics/" + statistic).stdout().strip());
    }

    /** Runs Java code on a thread inside this namespace (e.g. to open a socket there); see {@link Netns}. */
    public <T> T call(Callable<T> body) {
        return Netns.call(namespace, Duration.ofSeconds(30), body);
    }

    @Override
    public String toString() {
        return name + " (" + namespace + ")";
    }
}
