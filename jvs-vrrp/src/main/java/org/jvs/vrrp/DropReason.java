package org.jvs.vrrp;

/**
 * Why a received VRRP packet was not processed. Each has a counter in {@link InstanceStatus.Counters} (or, for
 * packets that match no instance, in the daemon's interface-wide counters).
 */
public enum DropReason {
    /** Shorter than an IPv4 header plus the 8-byte VRRP header, or than its own address count needs. */
    TOO_SHORT,
    /** The IPv4 total length disagrees with the bytes received, or the VRRP part with its address count. */
    LENGTH_MISMATCH,
    /** IPv4 TTL is not 255 (RFC 5798 7.1, RFC 3768 7.1): the packet came through a router. */
    BAD_TTL,
    /** Not VRRP version 2 or 3, or not the version the instance runs. */
    BAD_VERSION,
    /** Type other than 1 (ADVERTISEMENT). */
    BAD_TYPE,
    /** Checksum does not verify (v3 with the IPv4 pseudo-header, v2 over the VRRP message alone). */
    BAD_CHECKSUM,
    /** A VRID no configured instance on this interface runs: counted per interface, not an error of an instance. */
    UNKNOWN_VRID,
    /** v2: the authentication type differs from the configured one (or is not 0 or 1). */
    AUTH_TYPE_MISMATCH,
    /** v2 auth_type PASS: the 8 bytes of authentication data differ. */
    AUTH_MISMATCH,
    /** v2 only: the advertisement interval differs from the configured one (RFC 3768 7.1: MUST drop). */
    INTERVAL_MISMATCH,
    /** Multicast received by a unicast instance, or unicast by a multicast one (keepalived drops these too). */
    UNICAST_MULTICAST_MISMATCH,
    /**
     * The address count or list differs from the configuration. Counted, but the advert is still processed, as
     * keepalived does (RFC 3768 and RFC 5798: MAY drop).
     */
    ADDRESS_LIST_MISMATCH
}
