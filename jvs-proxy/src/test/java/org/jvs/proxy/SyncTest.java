package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.jvs.core.model.Engine;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

/** sync(): listeners follow the core's socket-engine services. */
class SyncTest extends EngineFixture {

    @Test
    void opensListenersForSocketServicesOnlyAndSkipsWhatSocketsCannotServe() {
        ServiceKey.Virtual tcp = tcpKey("127.0.0.70");
        ServiceKey.Virtual udp = new ServiceKey.Virtual(Protocol.UDP, IpAddr.parse("127.0.0.70"), tcp.port());
        ServiceKey.Virtual packet = tcpKey("127.0.0.71");
        ServiceKey.Fwmark mark = new ServiceKey.Fwmark(7, false);
        ServiceKey.Virtual allPorts = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.72"), 0);
        lb.addService(ServiceSpec.of(tcp, "rr"));
        lb.addService(ServiceSpec.of(udp, "rr"));
        lb.addService(ServiceSpec.of(packet, "rr").withEngine(Engine.PACKET));
        lb.addService(ServiceSpec.of(mark, "rr"));
        lb.addService(ServiceSpec.of(allPorts, "rr", new Persistence(60, 32)));

        SocketEngine.SyncResult r = engine.sync();
        assertThat(r.opened()).containsExactly(tcp, udp);
        assertThat(r.skipped()).containsExactly(mark, allPorts);
        assertThat(r.failed()).isEmpty();
        assertThat(engine.listening()).containsExactlyInAnyOrder(tcp, udp);

        SocketEngine.SyncResult again = engine.sync();
        assertThat(again.opened()).isEmpty();
        assertThat(again.closed()).isEmpty();
    }

    @Test
    void closesListenersOfDeletedOrMovedServicesAndOpenRelaysGoOn() throws IOException {
        NamedHttpBackend a = http("a");
        ServiceKey.Virtual vs = tcpService("127.0.0.73", "rr");
        addDest(vs, a, 1);
        ServiceKey.Virtual moved = tcpService("127.0.0.74", "rr");
        try (Socket open = connect(vs, null)) {
            assertThat(keepAliveGet(open)).isEqualTo("a");
            lb.deleteService(vs);
            lb.editService(lb.service(moved).spec().withEngine(Engine.PACKET));
            SocketEngine.SyncResult r = engine.sync();
            assertThat(r.closed()).containsExactlyInAnyOrder(vs, moved);
            assertThat(engine.listening()).isEmpty();
            assertThatThrownBy(() -> get(vs)).isInstanceOf(IOException.class);
            // The relay of the deleted service finishes on its own, as an IPVS connection would.
            assertThat(keepAliveGet(open)).isEqualTo("a");
        }
    }

    @Test
    void bindFailureIsReportedAndRetriedAtTheNextSync() throws IOException {
        ServiceKey.Virtual vs = tcpKey("127.0.0.75");
        lb.addService(ServiceSpec.of(vs, "rr"));
        try (ServerSocket squatter = new ServerSocket(vs.port(), 1, InetAddress.getByName("127.0.0.75"))) {
            assertThat(squatter.isBound()).isTrue();
            SocketEngine.SyncResult r = engine.sync();
            assertThat(r.failed()).containsOnlyKeys(vs);
            assertThat(engine.listening()).isEmpty();
        }
        assertThat(engine.sync().opened()).containsExactly(vs);
    }

    @Test
    void usesEpollWhereAvailable() {
        assertThat(engine.transportName()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
    }

    @Test
    void syncBeforeStartIsAnError() {
        SocketEngine other = new SocketEngine(lb);
        assertThatThrownBy(other::sync).isInstanceOf(IllegalStateException.class);
    }
}
