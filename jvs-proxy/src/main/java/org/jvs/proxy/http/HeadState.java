package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/** Where a head scan stands: the buffer, the head's first byte, the scan position and the current line. */
abstract class HeadState {
    ByteBuf buf;
    int start = -1;
    int pos;
    int lineStart;

    /** Starts a head at the buffer's reader index. */
    final void begin(ByteBuf b) {
        buf = b;
        start = b.readerIndex();
        pos = lineStart = start;
    }

    final void clearScan() {
        buf = null;
        start = -1;
        pos = lineStart = 0;
    }
}
