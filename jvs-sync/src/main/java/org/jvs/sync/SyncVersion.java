package org.jvs.sync;

/**
 * The two sync message formats. Version 1 (the kernel's default since 2.6.36) carries IPv6, the firewall
 * mark, the timeout and persistence-engine data; version 0 carries IPv4 connections only and is what
 * {@code net.ipv4.vs.sync_version=0} selects for backups running very old kernels.
 */
public enum SyncVersion {
    V0,
    V1;

    /** The number on the wire (only v1 writes it; v0 is recognised by its non-zero first byte). */
    public int number() {
        return ordinal();
    }

    /** Bytes of the message header: 4 for v0, 8 for v1. */
    public int headerLength() {
        return this == V0 ? SyncProtocol.V0_HEADER_LEN : SyncProtocol.V1_HEADER_LEN;
    }
}
