package org.jvs.core;

import org.jvs.core.model.IpAddr;

/**
 * One row of the connection listing ({@code ipvsadm -L -c}): a copy, for the control plane.
 *
 * @param protocol IP protocol number; 0 for the template of a firewall-mark service
 * @param state    ipvsadm's state label (ESTABLISHED, SYN_RECV, UDP, NONE for templates, ...)
 */
public record ConnEntry(int protocol, String state, int expiresIn, IpAddr client, int clientPort,
                        IpAddr virtual, int virtualPort, IpAddr dest, int destPort, boolean template, String method) {

    /** ipvsadm's protocol column: TCP, UDP, SCTP, or IP for fwmark templates. */
    public String protocolLabel() {
        return switch (protocol) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            default -> "IP";
        };
    }
}
