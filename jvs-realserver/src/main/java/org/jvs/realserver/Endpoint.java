package org.jvs.realserver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jvs.packet.TunDevice;
import org.jvs.vrrp.io.Rtnetlink;

/** The TUN device of the endpoint with the VIPs on it as /32 addresses (rtnetlink, as keepalived adds them). */
final class Endpoint {
    private Endpoint() {
    }

    /** Creates device {@code name}, brings it up and adds {@code vips} (IPv4, big-endian ints). */
    static TunDevice create(String name, int[] vips) {
        TunDevice dev = TunDevice.open(name, false);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Sys.capture(a);
            // NetworkInterface lists only interfaces with an address; the new device has none yet.
            int index = (int) Sys.IF_NAMETOINDEX.invokeExact(cap, a.allocateFrom(name));
            if (index <= 0) {
                throw Sys.failure("finding the index of " + name, Sys.errno(cap), null);
            }
            try (Rtnetlink nl = Rtnetlink.open()) {
                for (int vip : vips) {
                    nl.addAddress(index, name, vip, 32);
                }
            }
            return dev;
        } catch (RuntimeException | Error e) {
            dev.close();
            throw e;
        } catch (Throwable t) {
            dev.close();
            throw new IllegalStateException(t);
        }
    }
}
