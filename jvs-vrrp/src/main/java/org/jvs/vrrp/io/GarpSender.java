package org.jvs.vrrp.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.jvs.packet.AfPacketIo;
import org.jvs.packet.ArpPacket;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.PacketBatch;

/**
 * Gratuitous ARP for addresses that moved to this host, in keepalived's form: an ARP request from the
 * interface's MAC to the Ethernet broadcast, sender = target = the address, target hardware address
 * ff:ff:ff:ff:ff:ff. Sent through {@link AfPacketIo#openTransmitOnly} (needs CAP_NET_RAW). Public so that a
 * data plane that owns its virtual addresses itself (the packet engine) can announce them the same way. The
 * socket belongs to the network namespace of the thread that opened it. One thread at a time.
 */
public final class GarpSender implements AutoCloseable {
    public static final int FRAME_LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;

    private final String ifname;
    private final AfPacketIo io;
    private final long mac;
    private final Arena arena = Arena.ofShared();
    private final PacketBatch batch = new PacketBatch(arena, 64, 64);
    private final MemorySegment frame = arena.allocate(64, 8);
    private long sent;

    private GarpSender(String ifname, AfPacketIo io, long mac) {
        this.ifname = ifname;
        this.io = io;
        this.mac = mac;
    }

    /** Opens a transmit-only AF_PACKET socket on {@code ifname} and reads its MAC (calling thread's namespace). */
    public static GarpSender open(String ifname) {
        long mac;
        try (NetInterface n = NetInterface.open(ifname)) {
            mac = n.mac();
        }
        return new GarpSender(ifname, AfPacketIo.openTransmitOnly(ifname), mac);
    }

    public String interfaceName() {
        return ifname;
    }

    public long mac() {
        return mac;
    }

    /** Frames handed to the kernel so far. */
    public long sent() {
        return sent;
    }

    /** Writes one gratuitous ARP frame (42 bytes) for {@code address} from {@code mac}; returns its length. */
    public static int writeFrame(MemorySegment seg, long offset, long mac, int address) {
        new EthernetFrame().wrap(seg, offset, FRAME_LENGTH)
                .destination(EthernetFrame.BROADCAST).source(mac).outerType(EthernetFrame.TYPE_ARP);
        new ArpPacket().wrap(seg, offset + EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH)
                .hardwareType(ArpPacket.HTYPE_ETHERNET).protocolType(EthernetFrame.TYPE_IPV4)
                .hardwareLength(6).protocolLength(4).operation(ArpPacket.OP_REQUEST)
                .senderHardware(mac).senderProtocol(address)
                .targetHardware(EthernetFrame.BROADCAST).targetProtocol(address);
        return FRAME_LENGTH;
    }

    /** Sends {@code repeat} rounds of one gratuitous ARP per address; returns the frames the kernel took. */
    public int send(List<Integer> addresses, int repeat) {
        int took = 0;
        for (int r = 0; r < repeat; r++) {
            batch.clear();
            for (int a : addresses) {
                int len = writeFrame(frame, 0, mac, a);
                if (!batch.add(frame, 0, len)) {
                    took += io.send(batch);
                    batch.clear();
                    batch.add(frame, 0, len);
                }
            }
            if (batch.count() > 0) {
                took += io.send(batch);
            }
        }
        sent += took;
        return took;
    }

    @Override
    public void close() {
        io.close();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
