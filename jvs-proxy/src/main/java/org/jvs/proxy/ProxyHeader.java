package org.jvs.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProxyProtocol;

/**
 * HAProxy's PROXY protocol header (v1 text, v2 binary), written to a real server before the first byte of
 * the client, so that the server learns the client's address: with a relay it otherwise sees the
 * director's. Only the {@code PROXY} command over TCP is produced; no TLVs.
 */
public final class ProxyHeader {

    /** The v2 signature: {@code \r\n\r\n\0\r\nQUIT\n}. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Version 2, command PROXY. */
    static final int V2_VERSION_COMMAND = 0x21;
    /** AF_INET / AF_INET6 with SOCK_STREAM. */
    static final int V2_TCP4 = 0x11;
    static final int V2_TCP6 = 0x21;

    private ProxyHeader() {
    }

    /**
     * The header for a TCP connection from {@code client} to {@code server} (the address the client
     * connected to: the VIP). Both must be of one family. Returns null for {@link ProxyProtocol#NONE}.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ProxyProtocol version, IpAddr client, int clientPort,
                                 IpAddr server, int serverPort) {
        if (client.v6() != server.v6()) {
            throw new IllegalArgumentException("PROXY header addresses of two families: " + client + ", " + server);
        }
        return switch (version) {
            case NONE -> null;
            case V1 -> v1(alloc, client, clientPort, server, serverPort);
            case V2 -> v2(alloc, client, clientPort, server, serverPort);
        };
    }

    private static ByteBuf v1(ByteBufAllocator alloc, IpAddr c, int cport, IpAddr s, int sport) {
        String line = "PROXY " + (c.v6() ? "TCP6 " : "TCP4 ") + c + " " + s + " " + cport + " " + sport + "\r\n";
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(b.length).writeBytes(b);
    }

    private static ByteBuf v2(ByteBufAllocator alloc, IpAddr c, int cport, IpAddr s, int sport) {
        int addrLen = c.v6() ? 36 : 12;
        ByteBuf b = alloc.buffer(16 + addrLen);
        b.writeBytes(V2_SIGNATURE);
        b.writeByte(V2_VERSION_COMMAND);
        b.writeByte(c.v6() ? V2_TCP6 : V2_TCP4);
        b.writeShort(addrLen);
        writeAddr(b, c);
        writeAddr(b, s);
        b.writeShort(cport);
        b.writeShort(sport);
        return b;
    }

    private static void writeAddr(ByteBuf b, IpAddr a) {
        if (a.v6()) {
            b.writeLong(a.hi());
            b.writeLong(a.lo());
        } else {
            b.writeInt((int) a.lo());
        }
    }
}
