package org.jvs.packet;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link PacketIo} over a Linux {@code AF_PACKET} raw socket bound to one interface, through the FFM API (no
 * JNI): {@code recvmmsg} straight into the caller's {@link PacketBatch} slab, {@code sendmmsg} straight out of
 * it. The {@code mmsghdr} and {@code iovec} arrays are built once per batch (the first time a batch is seen)
 * and reused, so receiving and sending allocate nothing on the Java heap.
 *
 * <p>Opening needs {@code CAP_NET_RAW}; without it {@link #open} throws a {@link PacketIoException} that says
 * so. Every failing system call reports its errno as text and symbol. The socket receives every protocol
 * ({@code ETH_P_ALL}) on its interface and, where the kernel has {@code PACKET_IGNORE_OUTGOING} (4.20+), not
 * its own transmissions; {@link #ignoresOwnTransmissions()} tells whether that took.
 *
 * <p>The socket belongs to the network namespace of the thread that opened it, whatever thread uses it later.
 * One worker thread uses an instance (not thread-safe). Struct layouts are those of x86_64 Linux.
 *
 * <p>Several workers on one interface each open a socket with the same {@link Options#fanoutGroup()}: the
 * kernel then hashes each received frame's flow to one of them ({@code PACKET_FANOUT_HASH}).
 *
 * <p>With {@link Options#offloadMetadata()} the socket also carries what the kernel knows of a frame beyond its
 * bytes, both ways ({@code PACKET_VNET_HDR}, see {@link Offload}): an unfinished checksum and a super-frame's
 * segment size arrive in {@link PacketBatch#offload(int)} and leave with the frame, so the kernel finishes them on
 * the way out. And an 802.1Q tag that the receiving device or the kernel took off the frame (it then reports it
 * beside the frame, {@code PACKET_AUXDATA}) is put back into it, so a receiver sees the frame as it was on the wire.
 *
 * <p>Later: a memory-mapped {@code TPACKET_V3} receive ring (no copy, no system call per batch when busy).
 */
public final class AfPacketIo implements PacketIo {
    // <sys/socket.h>, <linux/if_ether.h>, <linux/if_packet.h>, <asm-generic/socket.h>, <poll.h>
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_PACKET = 263;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int PACKET_FANOUT_HASH = 0;
    static final int PACKET_AUXDATA = 8;
    static final int PACKET_VNET_HDR = 15;
    /** {@code tpacket_auxdata.tp_status} bits (linux/if_packet.h). */
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    /** {@code struct tpacket_auxdata}: tp_status, tp_len, tp_snaplen (u32), tp_mac, tp_net, tp_vlan_tci, tp_vlan_tpid (u16). */
    static final int AUX_VLAN_TCI = 16;
    static final int AUX_VLAN_TPID = 18;
    static final int AUX_LENGTH = 20;
    /** {@code struct cmsghdr}: cmsg_len (size_t), cmsg_level, cmsg_type (int), then the data, 8-byte aligned. */
    static final int CMSG_HEADER = 16;
    /** Control buffer per received message: room for the auxdata message (CMSG_SPACE(20) = 40) and one more. */
    static final int CONTROL_BYTES = 96;
    static final int VLAN_TAG = 4;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x001;
    /** Interface names are at most 15 bytes plus the terminating NUL. */
    static final int IFNAMSIZ = 16;

    /**
     * {@code struct sockaddr_ll} (linux/if_packet.h), 20 bytes: the address a packet socket binds to. Only
     * family, protocol (network byte order) and interface index matter for bind.
     */
    static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),                                    // AF_PACKET
            JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("sll_protocol"),   // __be16 EtherType
            JAVA_INT.withName("sll_ifindex"),                                     // interface index
            JAVA_SHORT.withName("sll_hatype"),                                    // ARPHRD_*, set by the kernel
            JAVA_BYTE.withName("sll_pkttype"),                                    // PACKET_HOST, ..., on receive
            JAVA_BYTE.withName("sll_halen"),                                      // hardware address length
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr"));      // hardware address

    /** {@code struct iovec} (bits/types/struct_iovec.h), 16 bytes: one buffer. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),                                         // void *
            JAVA_LONG.withName("iov_len"));                                       // size_t

    /** {@code struct msghdr} (bits/socket.h), 56 bytes. */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),                                         // void *: NULL, unused
            JAVA_INT.withName("msg_namelen"),                                     // socklen_t
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),                                          // struct iovec *
            JAVA_LONG.withName("msg_iovlen"),                                     // size_t: 1
            ADDRESS.withName("msg_control"),                                      // void *: NULL
            JAVA_LONG.withName("msg_controllen"),                                 // size_t: 0
            JAVA_INT.withName("msg_flags"),                                       // MSG_TRUNC, ... on receive
            MemoryLayout.paddingLayout(4));

    /** {@code struct mmsghdr} (bits/socket.h), 64 bytes: a message and the bytes the call moved. */
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),                                         // unsigned int
            MemoryLayout.paddingLayout(4));

    static final int SO_ATTACH_FILTER = 26;

    /** {@code struct sock_fprog} (linux/filter.h), 16 bytes: length and address of a classic BPF program. */
    static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"),                                           // unsigned short
            MemoryLayout.paddingLayout(6),
            ADDRESS.withName("filter"));                                          // struct sock_filter *

    /** {@code struct pollfd} (poll.h), 8 bytes. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"));

    private static final long MMSG_SIZE = MMSGHDR.byteSize();
    private static final long IOV_SIZE = IOVEC.byteSize();
    private static final long MSG_IOV = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_iov"));
    private static final long MSG_IOVLEN = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_iovlen"));
    private static final long MSG_FLAGS = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_flags"));
    private static final long MSG_CONTROL = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_control"));
    private static final long MSG_CONTROLLEN = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_controllen"));
    private static final long MSG_LEN = MMSGHDR.byteOffset(groupElement("msg_len"));
    private static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    private static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));

    private static final String NEEDS_CAP_NET_RAW =
            "JVS's packet engine needs CAP_NET_RAW; run as root or grant the capability";

    /**
     * Socket tuning. {@code receiveBufferBytes} and {@code sendBufferBytes}: 0 keeps the kernel default
     * ({@code net.core.rmem_default}); a larger value is forced past {@code rmem_max} when the process has
     * {@code CAP_NET_ADMIN}. {@code fanoutGroup}: -1 for none, or a group id (0 to 65535, per network
     * namespace) that several sockets on the same interface join in {@code PACKET_FANOUT_HASH} mode: the kernel
     * spreads received frames over them by flow hash, so each worker sees whole flows. {@code offloadMetadata}:
     * frames carry their {@link Offload} metadata both ways and get back the 802.1Q tag the kernel took off (what
     * a forwarder needs; a socket that only injects frames of its own does not).
     */
    public record Options(int receiveBufferBytes, int sendBufferBytes, int fanoutGroup, boolean offloadMetadata) {
        public static final Options DEFAULTS = new Options(0, 0, -1, false);

        public Options {
            if (receiveBufferBytes < 0 || sendBufferBytes < 0) {
                throw new IllegalArgumentException("buffer sizes must be >= 0");
            }
            if (fanoutGroup < -1 || fanoutGroup > 0xFFFF) {
                throw new IllegalArgumentException("fanout group " + fanoutGroup + " outside -1..65535");
            }
        }

        public Options(int receiveBufferBytes, int sendBufferBytes) {
            this(receiveBufferBytes, sendBufferBytes, -1, false);
        }

        public Options(int receiveBufferBytes, int sendBufferBytes, int fanoutGroup) {
            this(receiveBufferBytes, sendBufferBytes, fanoutGroup, false);
        }

        public Options withFanoutGroup(int group) {
            return new Options(receiveBufferBytes, sendBufferBytes, group, offloadMetadata);
        }

        public Options withOffloadMetadata(boolean on) {
            return new Options(receiveBufferBytes, sendBufferBytes, fanoutGroup, on);
        }
    }

    private final String interfaceName;
    private final int ifindex;
    private final Arena arena;
    private final MemorySegment capture;
    private final MemorySegment pollfd;
    private final Vectors rx;
    private final Vectors tx;
    private final boolean ignoresOwnTransmissions;
    private final String ignoreOutgoingProblem;
    /** Bytes in front of every frame both ways: {@link Offload#HEADER_LENGTH} with offload metadata, else 0. */
    private final int vnetBytes;
    private final boolean auxdata;
    private int fd;
    private long received;
    private long sent;
    private long truncated;
    private long vlanRestored;

    private AfPacketIo(String interfaceName, Options options, boolean receives) {
        this.interfaceName = interfaceName;
        this.vnetBytes = options.offloadMetadata() ? Offload.HEADER_LENGTH : 0;
        this.auxdata = options.offloadMetadata() && receives;
        this.arena = Arena.ofShared();
        boolean ok = false;
        int sock = -1;
        try {
            this.capture = Libc.allocateCapture(arena);
            this.ifindex = interfaceIndex(interfaceName);
            // Protocol 0: the socket sees nothing until bind names the protocol and the interface, so no frame
            // from another interface can be queued in between (packet(7)).
            sock = (int) Libc.SOCKET.invokeExact(capture, AF_PACKET, SOCK_RAW, 0);
            if (sock < 0) {
                int e = Libc.errno(capture);
                throw Libc.failure("AF_PACKET socket", e,
                        e == Libc.EPERM || e == Libc.EACCES ? NEEDS_CAP_NET_RAW : null);
            }
            this.fd = sock;
            String problem = null;
            if (!setIntOption(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)) {
                int e = Libc.errno(capture);
                problem = "PACKET_IGNORE_OUTGOING on " + interfaceName + ": " + Libc.strerror(e) + " ("
                        + Libc.errnoName(e) + "): this socket will also receive the frames it sends";
                System.getLogger(AfPacketIo.class.getName()).log(System.Logger.Level.WARNING, problem);
            }
            this.ignoreOutgoingProblem = problem;
            this.ignoresOwnTransmissions = problem == null;
            if (options.receiveBufferBytes() > 0) {
                setBuffer(SO_RCVBUFFORCE, SO_RCVBUF, options.receiveBufferBytes(), "receive");
            }
            if (options.sendBufferBytes() > 0) {
                setBuffer(SO_SNDBUFFORCE, SO_SNDBUF, options.sendBufferBytes(), "send");
            }
            if (vnetBytes > 0 && !setIntOption(SOL_PACKET, PACKET_VNET_HDR, 1)) {
                throw Libc.failure("PACKET_VNET_HDR on " + interfaceName, Libc.errno(capture),
                        "the kernel cannot pass offload metadata on packet sockets (Linux 3.13 or later can)");
            }
            if (auxdata && !setIntOption(SOL_PACKET, PACKET_AUXDATA, 1)) {
                throw Libc.failure("PACKET_AUXDATA on " + interfaceName, Libc.errno(capture), null);
            }
            bind(receives ? ETH_P_ALL : 0);
            // After bind: the kernel only lets a bound (running) socket join a fanout group.
            if (options.fanoutGroup() >= 0
                    && !setIntOption(SOL_PACKET, PACKET_FANOUT, options.fanoutGroup() | PACKET_FANOUT_HASH << 16)) {
                int e = Libc.errno(capture);
                throw Libc.failure("AF_PACKET fanout group " + options.fanoutGroup() + " on " + interfaceName, e,
                        e == Libc.EINVAL ? "the group exists with another mode or on another interface" : null);
            }
            this.pollfd = arena.allocate(POLLFD);
            pollfd.set(JAVA_INT, POLLFD.byteOffset(groupElement("fd")), fd);
            pollfd.set(JAVA_SHORT, POLLFD.byteOffset(groupElement("events")), POLLIN);
            this.rx = new Vectors(true);
            this.tx = new Vectors(false);
            ok = true;
        } catch (PacketIoException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("AF_PACKET open of " + interfaceName + " failed", t);
        } finally {
            if (!ok) {
                if (sock >= 0) {
                    closeQuietly(sock);
                }
                arena.close();
            }
        }
    }

    /** Opens a raw socket on {@code interfaceName} (in the calling thread's network namespace). */
    public static AfPacketIo open(String interfaceName) {
        return open(interfaceName, Options.DEFAULTS);
    }

    public static AfPacketIo open(String interfaceName, Options options) {
        checkName(interfaceName);
        return new AfPacketIo(interfaceName, options, true);
    }

    /**
     * A socket that only sends on {@code interfaceName}: bound with protocol 0, so the kernel queues no
     * received frame to it (an {@code ETH_P_ALL} socket that nobody reads would still be handed a copy of every
     * frame). For a worker that forwards out of an interface another worker reads.
     */
    public static AfPacketIo openTransmitOnly(String interfaceName) {
        return openTransmitOnly(interfaceName, Options.DEFAULTS);
    }

    /** As {@link #openTransmitOnly(String)}; of the options only {@link Options#offloadMetadata()} matters. */
    public static AfPacketIo openTransmitOnly(String interfaceName, Options options) {
        checkName(interfaceName);
        return new AfPacketIo(interfaceName, options, false);
    }

    private static void checkName(String interfaceName) {
        if (interfaceName == null || interfaceName.isEmpty()
                || interfaceName.getBytes(StandardCharsets.UTF_8).length >= IFNAMSIZ
                || interfaceName.indexOf('/') >= 0 || interfaceName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bad network interface name '" + interfaceName
                    + "': 1 to " + (IFNAMSIZ - 1) + " bytes, no '/' and no white space");
        }
    }

    private int interfaceIndex(String name) throws Throwable {
        MemorySegment cName = arena.allocateFrom(name);
        int index = (int) Libc.IF_NAMETOINDEX.invokeExact(capture, cName);
        if (index == 0) {
            int e = Libc.errno(capture);
            throw Libc.failure("AF_PACKET interface '" + name + "'", e, e == Libc.ENODEV
                    ? "no network interface of that name in this network namespace (see ip link)" : null);
        }
        return index;
    }

    /** Binds to the interface; {@code protocol} 0 receives nothing, {@code ETH_P_ALL} everything. */
    private void bind(int protocol) throws Throwable {
        MemorySegment sll = arena.allocate(SOCKADDR_LL);
        sll.set(JAVA_SHORT, SOCKADDR_LL.byteOffset(groupElement("sll_family")), (short) AF_PACKET);
        sll.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN),
                SOCKADDR_LL.byteOffset(groupElement("sll_protocol")), (short) protocol);
        sll.set(JAVA_INT, SOCKADDR_LL.byteOffset(groupElement("sll_ifindex")), ifindex);
        int r = (int) Libc.BIND.invokeExact(capture, fd, sll, (int) SOCKADDR_LL.byteSize());
        if (r != 0) {
            int e = Libc.errno(capture);
            throw Libc.failure("AF_PACKET bind to " + interfaceName + " (index " + ifindex + ")", e,
                    e == Libc.EPERM ? NEEDS_CAP_NET_RAW : null);
        }
    }

    /** True when set; false leaves the errno in {@link #capture}. */
    private boolean setIntOption(int level, int name, int value) throws Throwable {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        int r = (int) Libc.SETSOCKOPT.invokeExact(capture, fd, level, name, v, (int) JAVA_INT.byteSize());
        return r == 0;
    }

    private void setBuffer(int forced, int plain, int bytes, String which) throws Throwable {
        if (!setIntOption(SOL_SOCKET, forced, bytes) && !setIntOption(SOL_SOCKET, plain, bytes)) {
            throw Libc.failure("AF_PACKET " + which + " buffer of " + bytes + " bytes on " + interfaceName,
                    Libc.errno(capture), null);
        }
    }

    /**
     * Attaches (or replaces, atomically) a classic BPF filter: from now on the kernel queues to this socket only
     * the frames the program accepts. Safe while another thread receives on the socket: the call uses memory of
     * its own, and the kernel swaps programs under its own lock.
     */
    public void attachFilter(SocketFilter filter) {
        checkOpen();
        long[] program = filter.instructions();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment insns = call.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                long in = program[i];
                insns.set(JAVA_SHORT, i * 8L, (short) (in >>> 48));          // code
                insns.set(JAVA_BYTE, i * 8L + 2, (byte) (in >>> 40));        // jt
                insns.set(JAVA_BYTE, i * 8L + 3, (byte) (in >>> 32));        // jf
                insns.set(JAVA_INT, i * 8L + 4, (int) in);                   // k
            }
            MemorySegment fprog = call.allocate(SOCK_FPROG);                   // struct sock_fprog
            fprog.set(JAVA_SHORT, SOCK_FPROG.byteOffset(groupElement("len")), (short) program.length);
            fprog.set(ADDRESS, SOCK_FPROG.byteOffset(groupElement("filter")), insns);
            MemorySegment state = Libc.allocateCapture(call);
            int r = (int) Libc.SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, (int) SOCK_FPROG.byteSize());
            if (r != 0) {
                throw Libc.failure("socket filter on " + interfaceName, Libc.errno(state), null);
            }
        } catch (PacketIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket filter on " + interfaceName + " failed", t);
        }
    }

    /** Receives without waiting: 0 when nothing is queued. */
    @Override
    public int receive(PacketBatch batch) {
        return receive(batch, 0);
    }

    /**
     * Receives what is queued; when nothing is, waits up to {@code timeoutMillis} (0: not at all) for a frame
     * to arrive and then takes what is there. Returns the count, 0 on timeout or when a signal interrupted the
     * wait. Allocates nothing.
     */
    @Override
    public int receive(PacketBatch batch, int timeoutMillis) {
        checkOpen();
        rx.bind(batch);
        int n = recv(batch.capacity());
        if (n == 0 && timeoutMillis > 0 && poll(timeoutMillis)) {
            n = recv(batch.capacity());
        }
        MemorySegment msgs = rx.msgs;
        int frameSize = batch.frameSize();
        for (int i = 0; i < n; i++) {
            long m = i * MMSG_SIZE;
            int len = msgs.get(JAVA_INT, m + MSG_LEN) - vnetBytes;
            if ((msgs.get(JAVA_INT, m + MSG_FLAGS) & MSG_TRUNC) != 0 || len > frameSize) {
                truncated++;
                len = Math.min(len, frameSize);
            }
            batch.length(i, Math.max(len, 0));
            if (vnetBytes > 0) {
                batch.offload(i, Offload.read(rx.vnet, i * VNET_STRIDE));
            }
            if (auxdata) {
                restoreVlanTag(batch, i, m);
            }
        }
        if (auxdata) {
            rx.resetControl(n);
        }
        batch.count(n);
        received += n;
        return n;
    }

    /**
     * Puts back the 802.1Q (or 802.1ad) tag the kernel reported beside frame {@code i}, after the two Ethernet
     * addresses, as it was on the wire. A frame with no room left for the 4 bytes in its slot is cut to length 0
     * (a receiver drops it as malformed) and counted as truncated.
     */
    private void restoreVlanTag(PacketBatch batch, int i, long m) {
        MemorySegment msgs = rx.msgs;
        long used = msgs.get(JAVA_LONG, m + MSG_CONTROLLEN);
        MemorySegment control = rx.control;
        long base = (long) i * CONTROL_BYTES;
        long at = 0;
        while (at + CMSG_HEADER <= used) {
            long cmsgLen = control.get(JAVA_LONG, base + at);
            if (cmsgLen < CMSG_HEADER || at + cmsgLen > used) {
                return;
            }
            if (control.get(JAVA_INT, base + at + 8) == SOL_PACKET && control.get(JAVA_INT, base + at + 12) == PACKET_AUXDATA
                    && cmsgLen >= CMSG_HEADER + AUX_LENGTH) {
                long aux = base + at + CMSG_HEADER;
                int status = control.get(JAVA_INT, aux);
                if ((status & TP_STATUS_VLAN_VALID) == 0) {
                    return;
                }
                int tci = control.get(JAVA_SHORT, aux + AUX_VLAN_TCI) & 0xFFFF;
                int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? control.get(JAVA_SHORT, aux + AUX_VLAN_TPID) & 0xFFFF : EthernetFrame.TYPE_VLAN;
                insertTag(batch, i, tpid, tci);
                return;
            }
            at += (cmsgLen + 7) & ~7L;
        }
    }

    private void insertTag(PacketBatch batch, int i, int tpid, int tci) {
        int len = batch.length(i);
        long off = batch.offset(i);
        if (len < 2 * 6 || len + VLAN_TAG > batch.frameSize()) {
            truncated++;
            batch.length(i, 0);
            return;
        }
        long meta = batch.offload(i);
        MemorySegment seg = batch.segment();
        MemorySegment.copy(seg, off + 12, seg, off + 12 + VLAN_TAG, len - 12); // overlapping: copied as if via a buffer
        Net.u16(seg, off + 12, tpid);
        Net.u16(seg, off + 14, tci);
        batch.length(i, len + VLAN_TAG).offload(i, Offload.shifted(meta, VLAN_TAG));
        vlanRestored++;
    }

    private int recv(int vlen) {
        int n;
        try {
            n = (int) Libc.RECVMMSG.invokeExact(capture, fd, rx.msgs, vlen, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("recvmmsg downcall", t);
        }
        if (n >= 0) {
            return n;
        }
        int e = Libc.errno(capture);
        if (e == Libc.EAGAIN || e == Libc.EINTR) {
            return 0;
        }
        throw Libc.failure("AF_PACKET receive on " + interfaceName, e,
                e == Libc.ENETDOWN ? "the interface is down" : null);
    }

    /** True when the socket became readable within the timeout. */
    private boolean poll(int timeoutMillis) {
        int r;
        try {
            r = (int) Libc.POLL.invokeExact(capture, pollfd, 1L, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException("poll downcall", t);
        }
        if (r >= 0) {
            return r > 0;
        }
        int e = Libc.errno(capture);
        if (e == Libc.EINTR) {
            return false;
        }
        throw Libc.failure("AF_PACKET poll on " + interfaceName, e, null);
    }

    /**
     * Sends frames {@code 0 .. count - 1} with one {@code sendmmsg}, without blocking; returns how many the
     * kernel took (fewer, even 0, when the socket's send buffer or the device queue is full). Allocates nothing.
     */
    @Override
    public int send(PacketBatch batch) {
        checkOpen();
        int count = batch.count();
        if (count == 0) {
            return 0;
        }
        tx.bind(batch);
        MemorySegment iovs = tx.iovs;
        int perMsg = tx.iovsPerMsg;
        for (int i = 0; i < count; i++) {
            iovs.set(JAVA_LONG, (i * perMsg + perMsg - 1) * IOV_SIZE + IOV_LEN, batch.length(i));
            if (vnetBytes > 0) {
                Offload.write(batch.offload(i), tx.vnet, i * VNET_STRIDE);
            }
        }
        int n;
        try {
            n = (int) Libc.SENDMMSG.invokeExact(capture, fd, tx.msgs, count, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException("sendmmsg downcall", t);
        }
        if (n < 0) {
            int e = Libc.errno(capture);
            if (e == Libc.EAGAIN || e == Libc.ENOBUFS || e == Libc.EINTR) {
                return 0;
            }
            throw Libc.failure("AF_PACKET send on " + interfaceName, e, switch (e) {
                case Libc.ENETDOWN -> "the interface is down";
                case Libc.EMSGSIZE -> "a frame is longer than the interface MTU plus its link header";
                case Libc.EINVAL -> "a frame is shorter than its link header (14 bytes for Ethernet)";
                default -> null;
            });
        }
        sent += n;
        return n;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int interfaceIndex() {
        return ifindex;
    }

    /** Whether {@code PACKET_IGNORE_OUTGOING} took: the socket does not receive the frames it sends. */
    public boolean ignoresOwnTransmissions() {
        return ignoresOwnTransmissions;
    }

    /** Why {@code PACKET_IGNORE_OUTGOING} did not take, or null. */
    public String ignoreOutgoingProblem() {
        return ignoreOutgoingProblem;
    }

    public long receivedTotal() {
        return received;
    }

    public long sentTotal() {
        return sent;
    }

    /** Frames longer than the batch's frame size, cut to it. */
    public long truncatedTotal() {
        return truncated;
    }

    /** Received frames whose 802.1Q tag the kernel had taken off and this socket put back. */
    public long vlanRestoredTotal() {
        return vlanRestored;
    }

    /** Whether frames carry {@link Offload} metadata ({@link Options#offloadMetadata()}). */
    @Override
    public boolean carriesOffloads() {
        return vnetBytes > 0;
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    /** Closes the socket and frees the message vectors; idempotent. Not while another thread is in a call. */
    @Override
    public void close() {
        if (fd < 0) {
            return;
        }
        int f = fd;
        fd = -1;
        try {
            closeQuietly(f);
        } finally {
            arena.close();
        }
    }

    private void closeQuietly(int f) {
        try {
            int r = (int) Libc.CLOSE.invokeExact(capture, f);
        } catch (Throwable ignored) {
            // nothing to do: the descriptor is gone either way
        }
    }

    private void checkOpen() {
        if (fd < 0) {
            throw new IllegalStateException("AF_PACKET socket on " + interfaceName + " is closed");
        }
    }

    /** Bytes between two slots' offload headers in the {@code vnet} array (10 used, kept 8-byte aligned). */
    private static final long VNET_STRIDE = 16;

    /**
     * One {@code mmsghdr} and one {@code iovec} (two with offload metadata: the header, then the frame) per batch
     * slot, pointing into the batch's slab; with auxdata a control buffer per slot. Rebuilt only when a different
     * batch comes (native memory grows only when that batch is larger than any before).
     */
    private final class Vectors {
        MemorySegment msgs = MemorySegment.NULL;
        MemorySegment iovs = MemorySegment.NULL;
        MemorySegment vnet = MemorySegment.NULL;
        MemorySegment control = MemorySegment.NULL;
        final int iovsPerMsg = vnetBytes > 0 ? 2 : 1;
        /** Only received messages carry control data: a send with an empty control buffer would be refused. */
        final boolean withControl;
        int slots;
        PacketBatch bound;

        Vectors(boolean receiving) {
            this.withControl = receiving && auxdata;
        }

        void bind(PacketBatch batch) {
            if (batch == bound) {
                return;
            }
            if (!batch.segment().isNative()) {
                throw new IllegalArgumentException("AF_PACKET needs a batch in native memory");
            }
            int n = batch.capacity();
            if (n > slots) {
                msgs = arena.allocate(MMSGHDR, n);
                iovs = arena.allocate(IOVEC, (long) n * iovsPerMsg);
                if (vnetBytes > 0) {
                    vnet = arena.allocate(VNET_STRIDE * n, 8);
                }
                if (withControl) {
                    control = arena.allocate((long) CONTROL_BYTES * n, 8);
                }
                slots = n;
            } else {
                msgs.fill((byte) 0);
            }
            long base = batch.segment().address();
            for (int i = 0; i < n; i++) {
                long iov = (long) i * iovsPerMsg * IOV_SIZE;
                if (vnetBytes > 0) {
                    iovs.set(JAVA_LONG, iov + IOV_BASE, vnet.address() + i * VNET_STRIDE);
                    iovs.set(JAVA_LONG, iov + IOV_LEN, vnetBytes);
                    iovs.set(JAVA_LONG, iov + IOV_SIZE + IOV_BASE, base + batch.offset(i));
                    iovs.set(JAVA_LONG, iov + IOV_SIZE + IOV_LEN, batch.frameSize());
                } else {
                    iovs.set(JAVA_LONG, iov + IOV_BASE, base + batch.offset(i));
                    iovs.set(JAVA_LONG, iov + IOV_LEN, batch.frameSize());
                }
                long m = i * MMSG_SIZE;
                msgs.set(JAVA_LONG, m + MSG_IOV, iovs.address() + iov);
                msgs.set(JAVA_LONG, m + MSG_IOVLEN, iovsPerMsg);
            }
            bound = batch;
            resetControl(n);
        }

        /** Gives slots {@code 0 .. n - 1} their whole control buffer again (the kernel wrote back what it used). */
        void resetControl(int n) {
            if (!withControl) {
                return;
            }
            for (int i = 0; i < n; i++) {
                long m = i * MMSG_SIZE;
                msgs.set(JAVA_LONG, m + MSG_CONTROL, control.address() + (long) i * CONTROL_BYTES);
                msgs.set(JAVA_LONG, m + MSG_CONTROLLEN, CONTROL_BYTES);
            }
        }
    }
}
