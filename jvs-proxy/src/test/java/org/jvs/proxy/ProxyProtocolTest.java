package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

/** PROXY protocol headers: exact bytes on the wire to the server, before any byte of the client. */
class ProxyProtocolTest extends EngineFixture {

    private static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Relays "ping" from {@code client} to a server that wants {@code pp}; returns every byte it got. */
    private byte[] relayPing(ProxyProtocol pp, String vip, String client, int headerLength) throws Exception {
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        RawBackend server = raw(s -> {
            got.complete(readHeaderAndPing(s.getInputStream(), headerLength));
            s.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
        });
        ServiceKey.Virtual vs = tcpService(vip, "rr");
        lb.addDest(vs, DestSpec.of(IpAddr.parse("127.0.0.1"), server.port(), ForwardingMethod.NAT).withProxyProtocol(pp));
        return withClient(vs, client, c -> {
            c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(c.getInputStream().readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
            return got.get(5, TimeUnit.SECONDS);
        });
    }

    interface ClientBody<T> {
        T run(Socket s) throws Exception;
    }

    private int clientPort;

    private <T> T withClient(ServiceKey.Virtual vs, String from, ClientBody<T> body) throws Exception {
        try (Socket c = new Socket()) {
            c.bind(new InetSocketAddress(from, 0));
            clientPort = c.getLocalPort();
            c.setSoTimeout(5_000);
            c.connect(new InetSocketAddress(vs.address().toInetAddress(), vs.port()), 2_000);
            return body.run(c);
        }
    }

    private int lastVport() {
        return lb.services().getLast().key() instanceof ServiceKey.Virtual v ? v.port() : -1;
    }

    @Test
    void v1TextHeaderComesFirst() throws Exception {
        // The header's length depends on the client port, unknown before binding: 5-digit ports on Linux.
        byte[] got = relayPing(ProxyProtocol.V1, "127.0.0.30", "127.0.0.31", -1);
        String expected = "PROXY TCP4 127.0.0.31 127.0.0.30 " + clientPort + " " + lastVport() + "\r\nping";
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo(expected);
        assertThat(decode(got)).satisfies(m -> {
            assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V1);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(m.sourceAddress()).isEqualTo("127.0.0.31");
            assertThat(m.sourcePort()).isEqualTo(clientPort);
            assertThat(m.destinationAddress()).isEqualTo("127.0.0.30");
            assertThat(m.destinationPort()).isEqualTo(lastVport());
        });
    }

    /** A header of {@code length} bytes (-1: a text line up to CRLF), then the 4 bytes of "ping". */
    private static byte[] readHeaderAndPing(java.io.InputStream in, int length) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (length >= 0) {
            b.writeBytes(in.readNBytes(length));
        } else {
            int prev = -1;
            for (int i = 0; i < 108; i++) { // v1 headers are at most 107 bytes
                int c = in.read();
                if (c < 0) {
                    break;
                }
                b.write(c);
                if (prev == '\r' && c == '\n') {
                    break;
                }
                prev = c;
            }
        }
        b.writeBytes(in.readNBytes(4));
        return b.toByteArray();
    }

    @Test
    void v2BinaryHeaderComesFirst() throws Exception {
        byte[] got = relayPing(ProxyProtocol.V2, "127.0.0.32", "127.0.0.33", 28);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(SIG);
        expected.write(0x21);                    // version 2, PROXY
        expected.write(0x11);                    // AF_INET, STREAM
        expected.writeBytes(new byte[] {0, 12}); // address block length
        expected.writeBytes(new byte[] {127, 0, 0, 33, 127, 0, 0, 32});
        expected.write(clientPort >> 8);
        expected.write(clientPort & 0xFF);
        expected.write(lastVport() >> 8);
        expected.write(lastVport() & 0xFF);
        expected.writeBytes("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(got).isEqualTo(expected.toByteArray());
        assertThat(decode(got)).satisfies(m -> {
            assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(m.sourceAddress()).isEqualTo("127.0.0.33");
            assertThat(m.sourcePort()).isEqualTo(clientPort);
            assertThat(m.destinationPort()).isEqualTo(lastVport());
        });
    }

    @Test
    void serverWithoutProxyProtocolGetsOnlyTheClientBytes() throws Exception {
        byte[] got = relayPing(ProxyProtocol.NONE, "127.0.0.34", "127.0.0.35", 0);
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("ping");
    }

    @Test
    void ipv6HeadersByteByByte() {
        IpAddr c = IpAddr.parse("2001:db8::7");
        IpAddr v = IpAddr.parse("2001:db8::100");
        ByteBuf v1 = ProxyHeader.encode(ByteBufAllocator.DEFAULT, ProxyProtocol.V1, c, 40000, v, 443);
        assertThat(v1.toString(StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP6 2001:db8::7 2001:db8::100 40000 443\r\n");
        ByteBuf v2 = ProxyHeader.encode(ByteBufAllocator.DEFAULT, ProxyProtocol.V2, c, 40000, v, 443);
        byte[] b = ByteBufUtil.getBytes(v2);
        assertThat(b).hasSize(16 + 36);
        assertThat(java.util.Arrays.copyOf(b, 12)).isEqualTo(SIG);
        assertThat(b[12]).isEqualTo((byte) 0x21);
        assertThat(b[13]).isEqualTo((byte) 0x21);
        assertThat(((b[14] & 0xFF) << 8) | (b[15] & 0xFF)).isEqualTo(36);
        assertThat(java.util.Arrays.copyOfRange(b, 16, 32)).isEqualTo(c.toInetAddress().getAddress());
        assertThat(java.util.Arrays.copyOfRange(b, 32, 48)).isEqualTo(v.toInetAddress().getAddress());
        assertThat(((b[48] & 0xFF) << 8) | (b[49] & 0xFF)).isEqualTo(40000);
        assertThat(((b[50] & 0xFF) << 8) | (b[51] & 0xFF)).isEqualTo(443);
        HAProxyMessage m = decode(b);
        assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
        assertThat(IpAddr.parse(m.sourceAddress())).isEqualTo(c);
        assertThat(IpAddr.parse(m.destinationAddress())).isEqualTo(v);
        v1.release();
        v2.release();
        assertThat(ProxyHeader.encode(ByteBufAllocator.DEFAULT, ProxyProtocol.NONE, c, 1, v, 2)).isNull();
    }

    @Test
    void ipv6RelayCarriesTcp6Header() throws Exception {
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        RawBackend server = closeLater(new RawBackend("::1", s -> {
            got.complete(s.getInputStream().readNBytes(52 + 4));
            s.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
        }));
        ServiceKey.Virtual vs = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("::1"), freePort("::1"));
        tcpService("::1", ServiceSpec.of(vs, "rr"));
        lb.addDest(vs, DestSpec.of(IpAddr.parse("::1"), server.port(), ForwardingMethod.NAT).withProxyProtocol(ProxyProtocol.V2));
        byte[] b = withClient(vs, "::1", c -> {
            c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(c.getInputStream().readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
            return got.get(5, TimeUnit.SECONDS);
        });
        assertThat(b[13]).isEqualTo((byte) 0x21);
        HAProxyMessage m = decode(b);
        assertThat(IpAddr.parse(m.sourceAddress())).isEqualTo(IpAddr.parse("::1"));
        assertThat(m.sourcePort()).isEqualTo(clientPort);
        assertThat(m.destinationPort()).isEqualTo(vs.port());
        assertThat(new String(b, 52, 4, StandardCharsets.US_ASCII)).isEqualTo("ping");
    }

    private static HAProxyMessage decode(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
        HAProxyMessage m = ch.readInbound();
        ch.finishAndReleaseAll();
        assertThat(m).as("decoded by Netty's HAProxyMessageDecoder").isNotNull();
        return m;
    }
}
