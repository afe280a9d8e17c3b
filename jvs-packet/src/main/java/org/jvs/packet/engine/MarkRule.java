package org.jvs.packet.engine;

/**
 * One line of the packet engine's firewall-mark classifier: IPv4 packets of {@code protocol} (6 TCP, 17 UDP, 0
 * either) to {@code address} with a destination port in {@code portLow..portHigh} carry mark {@code mark}, and so
 * belong to the firewall-mark service of that mark ({@code ipvsadm -f}). What an LVS user writes as
 * {@code nft add rule ... ip daddr 203.0.113.10 tcp dport { 80, 443 } meta mark set 1}: a packet socket sees a frame
 * before nftables has marked it (taps come before the netdev and IP hooks), so the engine applies the rules itself,
 * from the {@code packet: marks:} section. The address is a VIP: the engine answers ARP for it and keeps the
 * kernel off its traffic, as for any packet-engine VIP.
 */
public record MarkRule(int mark, int protocol, int address, int portLow, int portHigh) {
    public MarkRule {
        if (mark == 0) {
            throw new IllegalArgumentException("mark 0 means unmarked: a mark rule needs a mark of 1 or more");
        }
        if (protocol != 0 && protocol != 6 && protocol != 17) {
            throw new IllegalArgumentException("protocol " + protocol + ": tcp (6), udp (17) or both (0)");
        }
        if (address == 0) {
            throw new IllegalArgumentException("a mark rule needs the address the marked packets go to");
        }
        if (portLow < 0 || portHigh > 65535 || portLow > portHigh) {
            throw new IllegalArgumentException("ports " + portLow + "-" + portHigh + ": a range within 0..65535");
        }
    }

    /** Whether a packet of {@code proto} to {@code dst}:{@code port} carries this rule's mark. */
    public boolean matches(int proto, int dst, int port) {
        return dst == address && (protocol == 0 || protocol == proto) && port >= portLow && port <= portHigh;
    }

    @Override
    public String toString() {
        String p = protocol == 0 ? "tcp/udp" : protocol == 6 ? "tcp" : "udp";
        return "mark " + Integer.toUnsignedString(mark) + ": " + p + " " + Addresses.ipv4(address) + " port "
                + (portLow == portHigh ? String.valueOf(portLow) : portLow + "-" + portHigh);
    }
}
