package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

/** New TCP connections go where the core's scheduler says, with its weights, persistence and quiescing. */
class TcpSchedulingTest extends EngineFixture {

    @Test
    void wrrThreeToOneOverFourHundredConnections() throws IOException {
        NamedHttpBackend a = http("a");
        NamedHttpBackend b = http("b");
        ServiceKey.Virtual vs = tcpService("127.0.0.10", "wrr");
        addDest(vs, a, 3);
        addDest(vs, b, 1);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(get(vs), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b");
        assertThat(counts.get("a") / 400.0).isBetween(0.70, 0.80);
        assertThat(lb.service(vs).stats().totals().conns()).isEqualTo(400);
    }

    @Test
    void rrGoesRoundInListOrder() throws IOException {
        NamedHttpBackend a = http("a");
        NamedHttpBackend b = http("b");
        NamedHttpBackend c = http("c");
        ServiceKey.Virtual vs = tcpService("127.0.0.11", "rr");
        addDest(vs, a, 1);
        addDest(vs, b, 1);
        addDest(vs, c, 1);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            seen.add(get(vs));
        }
        assertThat(new HashSet<>(seen.subList(0, 3))).containsExactlyInAnyOrder("a", "b", "c");
        for (int i = 3; i < 9; i++) {
            assertThat(seen.get(i)).as("connection %d", i).isEqualTo(seen.get(i - 3));
        }
        // a -> b -> c, wherever it started
        int start = seen.indexOf("a");
        assertThat(seen.get(start + 1)).isEqualTo("b");
        assertThat(seen.get(start + 2)).isEqualTo("c");
    }

    @Test
    void persistenceKeepsEachClientOnOneServer() throws IOException {
        NamedHttpBackend a = http("a");
        NamedHttpBackend b = http("b");
        ServiceKey.Virtual key = tcpKey("127.0.0.12");
        ServiceKey.Virtual vs = tcpService("127.0.0.12", ServiceSpec.of(key, "rr").withPersistence(new Persistence(360, 32)));
        addDest(vs, a, 1);
        addDest(vs, b, 1);
        Set<String> used = new HashSet<>();
        for (int client = 21; client <= 24; client++) {
            String from = "127.0.0." + client;
            String first = get(vs, from);
            used.add(first);
            for (int i = 0; i < 5; i++) {
                assertThat(get(vs, from)).as("client %s, connection %d", from, i).isEqualTo(first);
            }
        }
        assertThat(used).as("rr spreads the four clients").containsExactlyInAnyOrder("a", "b");
        assertThat(lb.connections().stream().filter(e -> e.template()).count()).isEqualTo(4);
    }

    @Test
    void quiescedServerKeepsItsRelayAndGetsNoNewOnes() throws IOException {
        NamedHttpBackend a = http("a");
        NamedHttpBackend b = http("b");
        ServiceKey.Virtual vs = tcpService("127.0.0.13", "rr");
        Dest da = addDest(vs, a, 1);
        addDest(vs, b, 1);
        try (Socket open = connect(vs, null)) {
            String first = keepAliveGet(open);
            NamedHttpBackend quiesced = first.equals("a") ? a : b;
            Dest dq = first.equals("a") ? da : lb.service(vs).dest(IpAddr.parse("127.0.0.1"), b.port());
            lb.editDest(vs, dq.spec().withWeight(0));
            for (int i = 0; i < 6; i++) {
                assertThat(get(vs)).as("new connection %d", i).isNotEqualTo(quiesced.name());
            }
            for (int i = 0; i < 3; i++) {
                assertThat(keepAliveGet(open)).as("request %d on the open relay", i).isEqualTo(first);
            }
            assertThat(dq.activeConns()).isEqualTo(1);
        }
    }

    @Test
    void removedServerKeepsItsOpenRelay() throws IOException {
        NamedHttpBackend a = http("a");
        NamedHttpBackend b = http("b");
        ServiceKey.Virtual vs = tcpService("127.0.0.14", "rr");
        addDest(vs, a, 1);
        addDest(vs, b, 1);
        try (Socket open = connect(vs, null)) {
            String first = keepAliveGet(open);
            NamedHttpBackend gone = first.equals("a") ? a : b;
            lb.deleteDest(vs, IpAddr.parse("127.0.0.1"), gone.port());
            for (int i = 0; i < 4; i++) {
                assertThat(get(vs)).isNotEqualTo(gone.name());
            }
            for (int i = 0; i < 3; i++) {
                assertThat(keepAliveGet(open)).isEqualTo(first);
            }
        }
    }

    @Test
    void connectFailureIsRetriedOnAnotherServer() throws IOException {
        NamedHttpBackend live = http("live");
        ServiceKey.Virtual vs = tcpService("127.0.0.15", "rr");
        addDest(vs, freePort("127.0.0.1"), 1);   // nothing listens there
        addDest(vs, live, 1);
        for (int i = 0; i < 4; i++) {
            assertThat(get(vs)).as("connection %d", i).isEqualTo("live");
        }
        assertThat(engine.counters().connectFailures()).isEqualTo(2);
        assertThat(engine.counters().retried()).isEqualTo(2);
    }

    @Test
    void noUsableServerClosesTheClient() throws IOException {
        ServiceKey.Virtual vs = tcpService("127.0.0.16", "rr");
        lb.addDest(vs, DestSpec.of(IpAddr.parse("127.0.0.1"), freePort("127.0.0.1"), ForwardingMethod.NAT).withWeight(0));
        // Reset at once: the connect itself may already fail, or the first read.
        assertThatThrownBy(() -> {
            try (Socket s = connect(vs, null)) {
                s.getOutputStream().write('x');
                if (s.getInputStream().read() < 0) {
                    throw new IOException("EOF");
                }
            }
        }).isInstanceOf(IOException.class);
        assertThat(eventually(() -> engine.counters().rejected() == 1, WAIT)).isTrue();
        assertThat(eventually(() -> engine.openRelays() == 0, WAIT)).isTrue();
    }

    @Test
    void allServersDownClosesTheClientAfterOneTryEach() throws IOException {
        ServiceKey.Virtual vs = tcpService("127.0.0.17", "rr");
        addDest(vs, freePort("127.0.0.1"), 1);
        addDest(vs, freePort("127.0.0.1"), 1);
        assertThatThrownBy(() -> {
            try (Socket s = connect(vs, null)) {
                if (s.getInputStream().read() < 0) {
                    throw new IOException("EOF");
                }
            }
        }).isInstanceOf(IOException.class);
        assertThat(eventually(() -> engine.counters().connectFailures() == 2, WAIT)).isTrue();
    }
}
