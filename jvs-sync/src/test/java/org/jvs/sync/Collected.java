package org.jvs.sync;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps copies of what it is given, and small helpers shared by the tests. */
final class Collected implements SyncConnSink {
    final List<SyncConn> conns = new ArrayList<>();

    @Override
    public void accept(SyncConn c) {
        conns.add(new SyncConn().copyFrom(c));
    }

    static Collected decode(SyncDecoder d, byte[] msg, int syncId) {
        Collected c = new Collected();
        d.decode(ByteBuffer.wrap(msg), syncId, c);
        return c;
    }

    /** Encodes {@code conns} into one message; fails if any does not fit. */
    static byte[] encode(SyncVersion v, int syncId, List<SyncConn> conns) {
        ByteBuffer b = ByteBuffer.allocate(65535);
        SyncEncoder e = new SyncEncoder().begin(b, v, syncId, 65535);
        for (SyncConn c : conns) {
            if (!e.add(c)) {
                throw new AssertionError("rejected " + e.lastRejection() + ": " + c);
            }
        }
        int n = e.finish();
        byte[] out = new byte[n];
        b.get(0, out);
        return out;
    }

    static void assertSame(List<SyncConn> actual, List<SyncConn> expected) {
        org.assertj.core.api.Assertions.assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            if (!actual.get(i).sameAs(expected.get(i))) {
                throw new AssertionError("record " + i + "\n expected " + expected.get(i) + "\n actual   " + actual.get(i));
            }
        }
    }
}
