package org.jvs.sync;

import java.util.Random;

/** Random records within the protocol's rules, for the properties and the tshark comparison. */
final class RandomConns {
    private static final int[] PROTOCOLS = {6, 17, 132, 50, 51};

    private RandomConns() {
    }

    /** Any record v1 carries and the decoder delivers (so that decode(encode(c)) equals c). */
    static SyncConn v1(Random r) {
        SyncConn c = new SyncConn();
        boolean template = r.nextInt(5) == 0;
        if (template) {
            c.protocol(r.nextInt(256)).state(r.nextInt(65536));
        } else {
            int p = PROTOCOLS[r.nextInt(PROTOCOLS.length)];
            c.protocol(p).state(r.nextInt(SyncProtocol.stateCount(p)));
        }
        int flags = r.nextInt() & ~ConnFlags.HASHED & ~ConnFlags.SEQ_MASK & ~ConnFlags.TEMPLATE;
        if (template) {
            flags |= ConnFlags.TEMPLATE;
        }
        int seqChoice = r.nextInt(5);
        if (seqChoice == 0) {
            flags |= 1 + r.nextInt(3) << 9; // OUT_SEQ, IN_SEQ or both, with data
        }
        c.flags(flags);
        if (seqChoice <= 1) { // seqChoice 1: data without the flags, which v1 allows
            c.seq(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt());
        }
        c.cport(r.nextInt(65536)).vport(r.nextInt(65536)).dport(r.nextInt(65536)).fwmark(r.nextInt())
                .timeout(r.nextLong(1L << 32));
        if (r.nextBoolean()) {
            c.v6(true).caddr(r.nextLong(), r.nextLong()).vaddr(r.nextLong(), r.nextLong()).daddr(r.nextLong(), r.nextLong());
        } else {
            c.caddr(0, r.nextInt() & 0xFFFF_FFFFL).vaddr(0, r.nextInt() & 0xFFFF_FFFFL).daddr(0, r.nextInt() & 0xFFFF_FFFFL);
        }
        if (r.nextInt(6) == 0) {
            byte[] name = new byte[1 + r.nextInt(SyncProtocol.PE_NAME_MAX)];
            r.nextBytes(name);
            c.peName(name, 0, name.length);
            byte[] data = new byte[r.nextInt(SyncProtocol.PE_DATA_MAX + 1)];
            r.nextBytes(data);
            c.peData(data, 0, data.length);
        }
        return c;
    }

    /** Any record v0 carries: IPv4, 16 flag bits, sequence data exactly with the flags, no mark or timeout. */
    static SyncConn v0(Random r) {
        SyncConn c = v1(r).v6(false).clearPe().fwmark(0).timeout(0);
        c.caddr(0, r.nextInt() & 0xFFFF_FFFFL).vaddr(0, r.nextInt() & 0xFFFF_FFFFL).daddr(0, r.nextInt() & 0xFFFF_FFFFL);
        c.flags(c.flags() & 0xFFFF);
        if (c.seqPresent() && !ConnFlags.hasSeq(c.flags())) {
            c.clearSeq();
        }
        return c;
    }
}
