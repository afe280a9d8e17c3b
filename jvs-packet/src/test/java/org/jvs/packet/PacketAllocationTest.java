package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.jvs.core.model.IpAddr;
import org.jvs.core.sched.Flow;
import org.junit.jupiter.api.Test;

/**
 * The per-packet path allocates nothing: a million frames (IPv4 TCP, IPv4 UDP, IPv6 UDP behind an extension
 * header, 802.1Q-tagged IPv4) injected, received in batches of 32, parsed, turned into a {@link Flow},
 * NAT-rewritten with incremental checksums and sent, must not move this thread's allocated-bytes counter
 * (com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes) by more than {@link #NOISE_BYTES}.
 */
class PacketAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /**
     * Slack for the measurement, not for the code under test: the JVM may charge a one-off object to the
     * thread between the two reads (an MXBean helper, a class initialised on first use). One byte per packet
     * would already be a megabyte.
     */
    private static final long NOISE_BYTES = 1024;
    private static final int PACKETS = 1_000_000;
    private static final int BATCH = 32;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv6Header ip6 = new Ipv6Header();
    private final Flow flow = new Flow();
    private final InMemoryPacketIo io = new InMemoryPacketIo(BATCH, 256);
    private final PacketBatch batch = new PacketBatch(BATCH, 256);
    private final byte[][] templates = new byte[4][];
    private long flows;
    private long rewritten;
    private long flagSum;

    @Test
    void parsingAndNatRewritingAMillionPacketsAllocatesNothing() {
        MemorySegment s = MemorySegment.ofArray(new byte[256]);
        int n = Build.ipv4(s, IpProtocol.TCP, 0xC0000207, 40000, 0x0A000064, 80, new byte[33], 2, true);
        templates[0] = s.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        s.fill((byte) 0);
        n = Build.ipv4(s, IpProtocol.UDP, 0xC0000208, 5353, 0x0A000064, 53, new byte[29], 0, true);
        templates[1] = s.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        s.fill((byte) 0);
        IpAddr c = IpAddr.parse("2001:db8::7");
        IpAddr v = IpAddr.parse("2001:db8::100");
        n = Build.ipv6(s, IpProtocol.UDP, c.hi(), c.lo(), 40000, v.hi(), v.lo(), 53, new byte[41], true);
        templates[2] = s.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        templates[3] = Golden.bytes(Golden.VLAN_ECHO);

        run(200_000); // warm up: JIT-compile the loop
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long done = run(PACKETS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(done).isEqualTo(PACKETS);
        assertThat(flows).isPositive();
        assertThat(rewritten).isPositive();
        assertThat(allocated).as("bytes allocated for %d packets", PACKETS).isLessThan(NOISE_BYTES);
    }

    private long run(int packets) {
        long handled = 0;
        int next = 0;
        while (handled < packets) {
            while (io.pending() < BATCH) {
                byte[] t = templates[next++ & 3];
                io.inject(t, 0, t.length);
            }
            int got = io.receive(batch);
            for (int i = 0; i < got; i++) {
                handle(batch.segment(), batch.offset(i), batch.length(i));
            }
            io.send(batch);
            io.discardSent();
            handled += got;
        }
        return handled;
    }

    /** What the engine will do per frame, minus the core's decision. */
    private void handle(MemorySegment seg, long offset, int length) {
        if (!eth.wrap(seg, offset, length).valid()) {
            return;
        }
        int type = eth.etherType();
        if (type == EthernetFrame.TYPE_IPV4) {
            if (!ip.wrap(seg, eth.payloadOffset(), eth.payloadLength()).valid()) {
                return;
            }
            int flags = Flows.fromIpv4(ip, flow);
            if (flags >= 0) {
                flows++;
                flagSum += flags;
                if (Rewrite.dnatV4(ip, 0x0A000B00 | (flow.srcPort & 0xFF), 8080)) {
                    rewritten++;
                }
            }
            ip.decrementTtl();
        } else if (type == EthernetFrame.TYPE_IPV6) {
            if (ip6.wrap(seg, eth.payloadOffset(), eth.payloadLength()).parse() < 0) {
                return;
            }
            if (Flows.fromIpv6(ip6, flow) >= 0) {
                flows++;
                if (Rewrite.dnatV6(ip6, flow.dstHi, flow.dstLo ^ 0x11, 8053)) {
                    rewritten++;
                }
            }
        }
        eth.destination(0x0200_0000_0099L);
    }
}
