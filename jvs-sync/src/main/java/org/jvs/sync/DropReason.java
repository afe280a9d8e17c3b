package org.jvs.sync;

/**
 * Why the decoder dropped a message, the rest of one, or one entry; each has a counter in {@link SyncStats}.
 * The {@link Scope} says how much is lost, and matches what a kernel backup ({@code ip_vs_process_message})
 * does in the same case, except where noted.
 */
public enum DropReason {
    TOO_SHORT(Scope.MESSAGE, "message shorter than its header"),
    SIZE_MISMATCH(Scope.MESSAGE, "size field differs from the datagram length"),
    SYNCID_MISMATCH(Scope.MESSAGE, "sync ID of another cluster"),
    /** First byte 0 (so not v0) but version not 1; the kernel parses it as a v0 message of 0 entries. */
    UNKNOWN_VERSION(Scope.MESSAGE, "first byte 0 and version not 1"),
    /** Version 1 with the spare field set; the kernel, too, then treats it as v0 of 0 entries. */
    RESERVED_NONZERO(Scope.MESSAGE, "v1 spare field not 0"),

    ENTRY_TRUNCATED(Scope.REST, "nr_conns promises an entry the message has no room for"),
    ENTRY_OVERRUN(Scope.REST, "entry size runs past the message"),
    ENTRY_VERSION(Scope.REST, "entry version not 0"),
    /** Stricter than the kernel, which takes any odd type for IPv6 and drops only even non-zero types. */
    ENTRY_TYPE(Scope.REST, "entry type neither 0 (IPv4) nor 1 (IPv6)"),
    ENTRY_TOO_SMALL(Scope.REST, "entry size below its fixed part"),
    OPTION_TRUNCATED(Scope.REST, "option header or data runs past the entry"),
    OPTION_ZERO_LENGTH(Scope.REST, "option of length 0"),
    SEQ_OPTION_INVALID(Scope.REST, "sequence option not 24 bytes, or twice"),
    PE_OPTION_INVALID(Scope.REST, "PE name over 16 bytes, or a PE option twice"),
    V0_SEQ_TRUNCATED(Scope.REST, "v0 entry with sequence flags but no room for the sequence data"),

    UNKNOWN_MANDATORY_OPTION(Scope.ENTRY, "option of unknown type without the optional bit"),
    UNSUPPORTED_PROTOCOL(Scope.ENTRY, "protocol IPVS does not know (TCP, UDP, SCTP, AH, ESP)"),
    INVALID_STATE(Scope.ENTRY, "state number beyond the protocol's states"),
    /** Stricter than the kernel, which keeps the flags and leaves the sequence offsets uninitialised. */
    SEQ_FLAGS_WITHOUT_DATA(Scope.ENTRY, "v1 entry with IN_SEQ/OUT_SEQ flags but no sequence option"),
    PE_DATA_WITHOUT_NAME(Scope.ENTRY, "PE data without a PE name");

    /** How much of a message a reason costs. */
    public enum Scope {
        /** The whole message, before any entry was delivered. */
        MESSAGE,
        /** This entry and every later one; entries delivered before stay delivered (as in the kernel). */
        REST,
        /** This entry only; the decoder continues with the next. */
        ENTRY
    }

    private final Scope scope;
    private final String description;

    DropReason(Scope scope, String description) {
        this.scope = scope;
        this.description = description;
    }

    public Scope scope() {
        return scope;
    }

    public String description() {
        return description;
    }

    /** The name as listings print it: lower case with dashes ({@code size-mismatch}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
