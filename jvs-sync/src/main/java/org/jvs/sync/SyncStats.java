package org.jvs.sync;

/**
 * Counters of one {@link SyncDecoder}. The decoder runs on one thread and is the only writer, so the counters
 * are plain longs; another thread reading them for a listing may see a value a message old. The totals add
 * up: {@code messages = accepted + partial + dropped}; the MESSAGE and REST reasons sum to
 * {@code partial + dropped}; the ENTRY reasons sum to {@code skippedEntries}.
 */
public final class SyncStats {
    private static final DropReason[] REASONS = DropReason.values();

    private long messages;
    private long v0Messages;
    private long v1Messages;
    private long accepted;
    private long partial;
    private long dropped;
    private long conns;
    private long templates;
    private long seqEntries;
    private long peEntries;
    private long skippedEntries;
    private long trailingBytes;
    private final long[] byReason = new long[REASONS.length];

    /** Datagrams given to the decoder. */
    public long messages() {
        return messages;
    }

    /** Messages recognised as version 0 (counted once the header checks passed). */
    public long v0Messages() {
        return v0Messages;
    }

    public long v1Messages() {
        return v1Messages;
    }

    /** Messages decoded to the end (some entries may have been skipped). */
    public long accepted() {
        return accepted;
    }

    /** Messages cut short after at least one delivered record. */
    public long partial() {
        return partial;
    }

    /** Messages of which nothing was delivered because of a MESSAGE or REST reason. */
    public long dropped() {
        return dropped;
    }

    /** Records delivered to sinks (templates included). */
    public long conns() {
        return conns;
    }

    public long templates() {
        return templates;
    }

    /** Delivered records with sequence data. */
    public long seqEntries() {
        return seqEntries;
    }

    /** Delivered records with persistence-engine data or name (JVS has no engines: carried, not used). */
    public long peEntries() {
        return peEntries;
    }

    public long skippedEntries() {
        return skippedEntries;
    }

    /**
     * Messages with bytes after their last entry (beyond its alignment padding). Accepted anyway, as the
     * kernel accepts them; counted because a correct sender never produces them.
     */
    public long trailingBytes() {
        return trailingBytes;
    }

    public long count(DropReason r) {
        return byReason[r.ordinal()];
    }

    /** One {@code name count} line per counter, reasons by their labels, for a listing. */
    public String listing() {
        StringBuilder sb = new StringBuilder(1024);
        line(sb, "messages", messages);
        line(sb, "messages-v0", v0Messages);
        line(sb, "messages-v1", v1Messages);
        line(sb, "accepted", accepted);
        line(sb, "partial", partial);
        line(sb, "dropped", dropped);
        line(sb, "conns", conns);
        line(sb, "templates", templates);
        line(sb, "seq-entries", seqEntries);
        line(sb, "pe-entries", peEntries);
        line(sb, "skipped-entries", skippedEntries);
        line(sb, "trailing-bytes", trailingBytes);
        for (DropReason r : REASONS) {
            line(sb, "drop-" + r.label(), byReason[r.ordinal()]);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, long value) {
        sb.append(name).append(' ').append(value).append('\n');
    }

    @Override
    public String toString() {
        return listing();
    }

    // ---- the decoder's side

    void message() {
        messages++;
    }

    void version(SyncVersion v) {
        if (v == SyncVersion.V0) {
            v0Messages++;
        } else {
            v1Messages++;
        }
    }

    void outcome(SyncDecoder.Result r) {
        switch (r) {
            case ACCEPTED -> accepted++;
            case PARTIAL -> partial++;
            case DROPPED -> dropped++;
        }
    }

    void reason(DropReason r) {
        byReason[r.ordinal()]++;
        if (r.scope() == DropReason.Scope.ENTRY) {
            skippedEntries++;
        }
    }

    void delivered(SyncConn c) {
        conns++;
        if (c.template()) {
            templates++;
        }
        if (c.seqPresent()) {
            seqEntries++;
        }
        if (c.peDataLength() > 0 || c.peNameLength() > 0) {
            peEntries++;
        }
    }

    void trailing() {
        trailingBytes++;
    }
}
