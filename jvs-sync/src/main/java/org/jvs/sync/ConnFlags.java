package org.jvs.sync;

/**
 * The IPVS connection flag bits ({@code IP_VS_CONN_F_*} of the kernel's {@code ip_vs.h}) as the sync protocol
 * carries them: 32 bits in version 1, the low 16 in version 0. The values are the kernel's, so a JVS director
 * and a kernel director read each other's messages. The low three bits are not flags but the forwarding
 * method.
 */
public final class ConnFlags {
    /** Mask of the forwarding-method field (a number, not bits). */
    public static final int FWD_MASK = 0x0007;
    public static final int MASQ = 0x0000;
    public static final int LOCALNODE = 0x0001;
    public static final int TUNNEL = 0x0002;
    public static final int DROUTE = 0x0003;
    public static final int BYPASS = 0x0004;
    /** Set by a backup on every entry it learned from a message; meaningless on the wire. */
    public static final int SYNC = 0x0020;
    /** "In the hash table": local bookkeeping, which is why a sender clears it. */
    public static final int HASHED = 0x0040;
    public static final int NOOUTPUT = 0x0080;
    /** Not established: counts in InActConn. */
    public static final int INACTIVE = 0x0100;
    public static final int OUT_SEQ = 0x0200;
    public static final int IN_SEQ = 0x0400;
    /** Either sequence-adjust bit: the entry must carry sequence data (the v0 layout depends on it). */
    public static final int SEQ_MASK = 0x0600;
    public static final int NO_CPORT = 0x0800;
    /** A persistence template, not a connection. */
    public static final int TEMPLATE = 0x1000;
    /** One-packet scheduling: the kernel never syncs such entries. */
    public static final int ONE_PACKET = 0x2000;
    /** Use netfilter conntrack; bit 16 and up are "not sent to backup" by the kernel's own comment. */
    public static final int NFCT = 0x1_0000;

    /** The bits a kernel backup keeps from a v1 entry when it creates one ({@code IP_VS_CONN_F_BACKUP_MASK}). */
    public static final int BACKUP_MASK = FWD_MASK | NOOUTPUT | INACTIVE | SEQ_MASK | NO_CPORT | TEMPLATE;
    /** The bits a kernel backup updates on an entry it already has ({@code IP_VS_CONN_F_BACKUP_UPD_MASK}). */
    public static final int BACKUP_UPD_MASK = INACTIVE | SEQ_MASK;

    private ConnFlags() {
    }

    /** The forwarding-method number (MASQ, LOCALNODE, TUNNEL, DROUTE, BYPASS). */
    public static int method(int flags) {
        return flags & FWD_MASK;
    }

    public static boolean isTemplate(int flags) {
        return (flags & TEMPLATE) != 0;
    }

    public static boolean hasSeq(int flags) {
        return (flags & SEQ_MASK) != 0;
    }

    /** The flags a kernel backup would give a new entry learned from v1 flags {@code wire}. */
    public static int forNewBackupEntry(int wire) {
        return (wire & BACKUP_MASK) | SYNC;
    }

    /** The ipvsadm word for a forwarding method number. */
    public static String methodName(int flags) {
        return switch (method(flags)) {
            case MASQ -> "Masq";
            case LOCALNODE -> "Local";
            case TUNNEL -> "Tunnel";
            case DROUTE -> "Route";
            case BYPASS -> "Bypass";
            default -> "Unknown(" + method(flags) + ")";
        };
    }
}
