package org.jvs.packet.engine;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jvs.core.Dest;
import org.jvs.core.Service;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.ServiceKey;
import org.jvs.packet.TunDevice;

/**
 * IPVS' local node: connections scheduled to the director itself (a real server of {@code method: local}, or any
 * real server whose address is one of the director's own, as IPVS turns such a server into LOCALNODE) are handed
 * to the director's kernel unchanged. The engine owns the VIP, so the kernel has no socket for it and the nftables
 * table keeps the VIP's frames away from the kernel; the packets are written instead into a TUN device,
 * {@value #DEVICE}, that holds the VIPs of such services as /32 addresses, and the kernel receives them as arriving
 * there, addressed to one of its own addresses, and answers the client directly by its routes.
 *
 * <p>The device is made the first time a service needs it and removed when the engine stops; its addresses follow
 * the services at every {@link #update}. The device takes each packet with its virtio header, so an unfinished
 * checksum or a TSO super-frame goes in as it came. Reverse-path filtering is turned off on the device (the
 * client is routed through another interface), and {@code arp_ignore} is set to 1 on the engine's interfaces that
 * had it 0 (the kernel would otherwise answer ARP for the VIP there, also on a VRRP backup), and put back at close. Workers read
 * {@link #isLocal} and {@link #sink} per packet: two volatile reads, no lock.
 */
final class LocalNode implements AutoCloseable {
    static final String DEVICE = "jvs-local0";
    private static final Logger LOG = System.getLogger("org.jvs.packet");

    /** Where a worker hands a packet: the IPv4 packet at {@code seg[offset]}, {@code meta} from its first byte. */
    interface Sink {
        boolean deliver(MemorySegment seg, long offset, int length, long meta);
    }

    private volatile int[] addresses = new int[0];
    private volatile Sink sink;
    private TunDevice device;
    private int[] onDevice = new int[0];
    /** Interfaces whose arp_ignore this set to 1 (put back to 0 at close). */
    private final List<String> arpIgnored = new ArrayList<>();

    /** Whether {@code address} (IPv4, big-endian int) is one of the director's own, as last read. */
    boolean isLocal(int address) {
        return Arrays.binarySearch(addresses, address) >= 0;
    }

    /** The sink, or null while no service has a local real server. */
    Sink sink() {
        return sink;
    }

    /** For tests: deliver into {@code s}, and treat {@code own} (sorted) as the director's addresses. */
    void use(Sink s, int[] own) {
        this.sink = s;
        this.addresses = own.clone();
    }

    /**
     * Control thread, in the engine's namespace: reads the director's addresses, and gives the device the VIPs of
     * the packet-engine services that have a local real server (making the device on first need). Returns the VIPs
     * the device holds now.
     */
    int[] update(List<Service> services, List<Link> links) {
        int[] own = ownAddresses();
        TreeSet<Integer> vips = new TreeSet<>();
        for (Service s : services) {
            if (s.spec().engine() != Engine.PACKET || !(s.key() instanceof ServiceKey.Virtual v) || v.v6()) {
                continue;
            }
            for (Dest d : s.dests()) {
                if (local(d, own)) {
                    vips.add(v.address().v4Int());
                }
            }
        }
        int[] want = vips.stream().mapToInt(Integer::intValue).toArray();
        if (want.length > 0 && device == null) {
            device = TunDevice.open(DEVICE, true);
            TunDevice dev = device;
            sysctl("net/ipv4/conf/" + DEVICE + "/rp_filter", "0");
            for (Link l : links) {
                Path p = Path.of("/proc/sys/net/ipv4/conf", l.name(), "arp_ignore");
                if ("0".equals(read(p))) {
                    sysctl("net/ipv4/conf/" + l.name() + "/arp_ignore", "1");
                    arpIgnored.add(l.name());
                    LOG.log(Level.INFO, "packet engine: local node: arp_ignore=1 on " + l.name()
                            + " (the kernel holds the VIPs on " + DEVICE + " and must not answer ARP for them)");
                }
            }
            sink = (seg, offset, length, meta) -> dev.write(seg, offset, length, meta);
            LOG.log(Level.INFO, "packet engine: local node: " + DEVICE + " hands connections to this director's kernel");
        }
        for (int v : want) {
            if (Arrays.binarySearch(onDevice, v) < 0) {
                ip("add", v);
            }
        }
        for (int v : onDevice) {
            if (Arrays.binarySearch(want, v) < 0) {
                ip("del", v);
            }
        }
        onDevice = want;
        // The VIPs just added are the director's own now: a real server at the VIP is local too.
        addresses = ownAddresses();
        return want.clone();
    }

    private static boolean local(Dest d, int[] own) {
        return !d.address().v6() && (d.method() instanceof ForwardingMethod.Local
                || Arrays.binarySearch(own, d.address().v4Int()) >= 0);
    }

    /** The IPv4 addresses of every interface of this namespace, sorted. */
    static int[] ownAddresses() {
        List<Integer> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        byte[] b = v4.getAddress();
                        out.add((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF);
                    }
                }
            }
        } catch (SocketException e) {
            LOG.log(Level.WARNING, "packet engine: cannot list this host's addresses: " + e.getMessage());
        }
        return out.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    private static void ip(String op, int vip) {
        String a = Addresses.ipv4(vip) + "/32";
        List<String> cmd = List.of("ip", "-4", "addr", op, a, "dev", DEVICE);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("local node: " + String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("local node: cannot run ip (iproute2): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("local node: interrupted", e);
        }
    }

    private static void sysctl(String key, String value) {
        try {
            Files.writeString(Path.of("/proc/sys", key), value);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "packet engine: local node: could not set " + key.replace('/', '.') + "=" + value + ": " + e.getMessage());
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Removes the device, and with it its addresses; puts back the arp_ignore it changed. */
    @Override
    public void close() {
        sink = null;
        if (device != null) {
            device.close();
            device = null;
        }
        onDevice = new int[0];
        for (String name : arpIgnored) {
            sysctl("net/ipv4/conf/" + name + "/arp_ignore", "0");
        }
        arpIgnored.clear();
    }
}
