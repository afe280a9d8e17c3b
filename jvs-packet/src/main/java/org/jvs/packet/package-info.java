/**
 * The packet layer: flyweight codecs over {@link java.lang.foreign.MemorySegment} for Ethernet (802.1Q), ARP,
 * IPv4, IPv6 (with extension headers), TCP, UDP, ICMP and ICMPv6; the Internet checksum with RFC 1624
 * incremental updates; NAT rewrites ({@link org.jvs.packet.Rewrite}); filling the core's flow from a packet
 * ({@link org.jvs.packet.Flows}); and packet I/O in batches ({@link org.jvs.packet.PacketIo},
 * {@link org.jvs.packet.PacketBatch}, {@link org.jvs.packet.InMemoryPacketIo}).
 *
 * <p><b>Hot.</b> Everything here except construction runs per packet on a data-plane worker thread and
 * allocates nothing: flyweights read and write the frame where it lies, {@code Checksum} works on primitives,
 * {@code Rewrite} and {@code Flows} are static. The allocation test holds parsing and NAT-rewriting a million
 * frames to zero bytes. The exceptions are marked "allocates" (test helpers such as
 * {@code PacketBatch#frame}, {@code InMemoryPacketIo#takeSent}).
 *
 * <p><b>Ownership.</b> A flyweight is a mutable cursor, not a value: each worker thread creates one of each kind
 * at start-up and re-points it at every frame with {@code wrap}; instances are never shared between threads
 * and never kept past the frame they wrap. The same holds for a {@code PacketBatch} and the
 * {@code org.jvs.core.sched.Flow} that {@code Flows} fills.
 *
 * <p><b>Garbage in.</b> Frames come from the wire: {@code valid}/{@code parse} checks never throw and report
 * "malformed" (false or -1) for any byte string; getters do not check bounds, so call them only on a header
 * that passed its check.
 */
package org.jvs.packet;
