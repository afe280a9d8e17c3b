package org.jvs.sync;

/**
 * Receives the records of a message one by one. The decoder passes the same {@link SyncConn} every time and
 * refills it for the next record, so a sink copies what it keeps ({@link SyncConn#copyFrom}).
 */
@FunctionalInterface
public interface SyncConnSink {
    void accept(SyncConn c);
}
