package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jvs.core.ConnEntry;
import org.jvs.core.Dest;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

/** UDP through the socket engine: sessions per client, replies from the VIP, one-packet scheduling. */
class UdpRelayTest extends EngineFixture {

    private UdpEchoBackend echo(String name) {
        return closeLater(UdpEchoBackend.start(name, "127.0.0.1", 0));
    }

    private ServiceKey.Virtual udpService(String vip, ServiceSpec spec, UdpEchoBackend... backends) {
        lb.addService(spec);
        for (UdpEchoBackend b : backends) {
            lb.addDest(spec.key(), DestSpec.of(IpAddr.parse("127.0.0.1"), b.port(), ForwardingMethod.NAT));
        }
        assertThat(engine.sync().failed()).isEmpty();
        return (ServiceKey.Virtual) spec.key();
    }

    private static ServiceKey.Virtual udpKey(String vip) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(vip, 0))) {
            return new ServiceKey.Virtual(Protocol.UDP, IpAddr.parse(vip), s.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private DatagramSocket client(String from) throws IOException {
        DatagramSocket s = closeLater(new DatagramSocket(new InetSocketAddress(from, 0)));
        s.setSoTimeout(5_000);
        return s;
    }

    /** Sends {@code text} to the VIP and returns the reply, checking it came from the VIP. */
    private static String ask(DatagramSocket c, ServiceKey.Virtual vs, String text) throws IOException {
        InetSocketAddress vip = new InetSocketAddress(vs.address().toInetAddress(), vs.port());
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        c.send(new DatagramPacket(b, b.length, vip));
        DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
        c.receive(reply);
        assertThat(reply.getSocketAddress()).as("reply source").isEqualTo(vip);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void roundTripKeepsAClientOnItsServer() throws IOException {
        UdpEchoBackend u1 = echo("u1");
        UdpEchoBackend u2 = echo("u2");
        ServiceKey.Virtual vs = udpService("127.0.0.50", ServiceSpec.of(udpKey("127.0.0.50"), "rr"), u1, u2);
        DatagramSocket first = client("127.0.0.51");
        String r1 = ask(first, vs, "hello");
        assertThat(r1).isIn("u1 hello", "u2 hello");
        String name = r1.substring(0, 2);
        for (int i = 0; i < 5; i++) {
            assertThat(ask(first, vs, "again " + i)).isEqualTo(name + " again " + i);
        }
        DatagramSocket second = client("127.0.0.52");
        assertThat(ask(second, vs, "x")).as("rr gives the next client the other server").doesNotStartWith(name);
        assertThat(engine.udpSessions()).isEqualTo(2);

        List<ConnEntry> entries = lb.connections();
        assertThat(entries).hasSize(2).allSatisfy(e -> assertThat(e.state()).isEqualTo("UDP"));
        long inPkts = 0;
        long outPkts = 0;
        for (Dest d : lb.service(vs).dests()) {
            inPkts += d.stats().totals().inPackets();
            outPkts += d.stats().totals().outPackets();
        }
        assertThat(inPkts).isEqualTo(7);
        assertThat(outPkts).isEqualTo(7);
        assertThat(lb.service(vs).stats().totals().conns()).isEqualTo(2);
    }

    @Test
    void onePacketSchedulingSpreadsEachDatagramAndRelaysReplies() throws IOException {
        UdpEchoBackend u1 = echo("u1");
        UdpEchoBackend u2 = echo("u2");
        ServiceKey.Virtual vs = udpService("127.0.0.53",
                ServiceSpec.of(udpKey("127.0.0.53"), "rr").withOnePacket(true), u1, u2);
        DatagramSocket c = client("127.0.0.54");
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String r = ask(c, vs, "q" + i);
            assertThat(r).endsWith(" q" + i);
            servers.add(r.substring(0, 2));
        }
        assertThat(servers).containsExactly("u1", "u2", "u1", "u2", "u1", "u2");
        assertThat(lb.connections()).as("one-packet scheduling keeps no entries").isEmpty();
        assertThat(lb.service(vs).stats().totals().conns()).isEqualTo(6);
        assertThat(u1.datagrams()).isEqualTo(3);
        assertThat(u2.datagrams()).isEqualTo(3);
    }

    @Test
    void idleSessionCloses() throws IOException {
        lb.timeouts().set(0, 0, 1);
        UdpEchoBackend u1 = echo("u1");
        ServiceKey.Virtual vs = udpService("127.0.0.55", ServiceSpec.of(udpKey("127.0.0.55"), "rr"), u1);
        DatagramSocket c = client("127.0.0.56");
        assertThat(ask(c, vs, "a")).isEqualTo("u1 a");
        assertThat(engine.udpSessions()).isEqualTo(1);
        assertThat(eventually(() -> engine.udpSessions() == 0, WAIT)).isTrue();
        // A new datagram opens a new session.
        assertThat(ask(c, vs, "b")).isEqualTo("u1 b");
    }

    @Test
    void sessionFollowsTheCoreWhenItsEntryExpired() throws IOException {
        UdpEchoBackend u1 = echo("u1");
        UdpEchoBackend u2 = echo("u2");
        ServiceKey.Virtual vs = udpService("127.0.0.57", ServiceSpec.of(udpKey("127.0.0.57"), "rr"), u1, u2);
        DatagramSocket c = client("127.0.0.58");
        String first = ask(c, vs, "a").substring(0, 2);
        clock.advanceSeconds(301);
        lb.housekeeping();
        assertThat(lb.connections()).isEmpty();
        // rr moved on: the core's new choice wins over the engine's session.
        assertThat(ask(c, vs, "b")).doesNotStartWith(first).endsWith(" b");
        assertThat(engine.udpSessions()).isEqualTo(1);
    }

    @Test
    void noUsableServerDropsDatagrams() throws IOException {
        ServiceKey.Virtual vs = udpService("127.0.0.59", ServiceSpec.of(udpKey("127.0.0.59"), "rr"));
        DatagramSocket c = client("127.0.0.60");
        c.setSoTimeout(300);
        byte[] b = "x".getBytes(StandardCharsets.UTF_8);
        c.send(new DatagramPacket(b, 1, new InetSocketAddress(vs.address().toInetAddress(), vs.port())));
        try {
            c.receive(new DatagramPacket(new byte[16], 16));
            throw new AssertionError("got a reply with no server");
        } catch (java.net.SocketTimeoutException expected) {
            // nothing came back
        }
        assertThat(eventually(() -> engine.counters().udpDropped() == 1, WAIT)).isTrue();
        assertThat(engine.udpSessions()).isZero();
    }
}
