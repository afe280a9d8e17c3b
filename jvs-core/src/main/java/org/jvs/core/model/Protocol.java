package org.jvs.core.model;

/** Transport protocols a virtual service can balance, with their IP protocol numbers and ipvsadm names. */
public enum Protocol {
    TCP(6, "TCP", "-t"),
    UDP(17, "UDP", "-u"),
    SCTP(132, "SCTP", "--sctp-service");

    private final int number;
    private final String label;
    private final String ipvsadmOption;

    Protocol(int number, String label, String ipvsadmOption) {
        this.number = number;
        this.label = label;
        this.ipvsadmOption = ipvsadmOption;
    }

    /** IP protocol number (6, 17, 132): the value carried in packets and in the connection table. */
    public int number() {
        return number;
    }

    /** The upper-case label ipvsadm prints in listings ("TCP", "UDP", "SCTP"). */
    public String label() {
        return label;
    }

    /** The ipvsadm option that introduces a service of this protocol. */
    public String ipvsadmOption() {
        return ipvsadmOption;
    }

    /** Looks a protocol up by IP protocol number; throws for protocols JVS does not balance. */
    public static Protocol ofNumber(int number) {
        return switch (number) {
            case 6 -> TCP;
            case 17 -> UDP;
            case 132 -> SCTP;
            default -> throw new ConfigException("unsupported IP protocol number " + number + " (TCP 6, UDP 17, SCTP 132)");
        };
    }
}
