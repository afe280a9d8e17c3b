package org.jvs.packet.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.packet.AfPacketIo;
import org.jvs.packet.NetnsPair;
import org.jvs.packet.PacketBatch;
import org.jvs.packet.SocketFilter;

/**
 * Not run by the build (a {@code main}, root only): what the socket filter saves. A client sends frames that are
 * the director kernel's (UDP to the director's own address, to its MAC) through a real engine; the CPU time of
 * the client-side worker thread is read before and after, with the engine's filter and with an accept-all one,
 * alternating rounds.
 *
 * Run after {@code mvn -pl jvs-packet -am test-compile}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp jvs-packet/target/classes:jvs-packet/target/test-classes:jvs-core/target/classes \
 *   org.jvs.packet.engine.SocketFilterMeasure
 * </pre>
 */
public final class SocketFilterMeasure {
    private static final int FRAMES = 200_000;

    public static void main(String[] args) throws Exception {
        LoadBalancer lb = new LoadBalancer();
        try (ThreeNamespaces lab = ThreeNamespaces.create()) {
            ServiceKey key = new ServiceKey.Virtual(Protocol.UDP, IpAddr.parse("10.1.0.101"), 7000);
            lb.addService(ServiceSpec.of(key, "rr").withEngine(Engine.PACKET));
            lb.addDest(key, DestSpec.of(IpAddr.parse(ThreeNamespaces.SERVER_IP), 7000, ForwardingMethod.DIRECT_ROUTE));
            EngineConfig config = EngineConfig.of(List.of(
                    new EngineConfig.Interface(lab.directorClientIf, EngineConfig.Role.CLIENT),
                    new EngineConfig.Interface(lab.directorServerIf, EngineConfig.Role.SERVER))).withNftTable("jvs_measure");
            PacketEngine engine = NetnsPair.inNamespace(lab.director, () -> PacketEngine.start(lb, config));
            try (AfPacketIo client = NetnsPair.inNamespace(lab.client, () -> AfPacketIo.open(lab.clientIf))) {
                byte[] frame = Frames.udp(NetnsPair.mac(lab.director, lab.directorClientIf), NetnsPair.mac(lab.client, lab.clientIf),
                        Frames.ip(10, 1, 0, 2), 4000, Frames.ip(10, 1, 0, 1), 9, new byte[18]);
                PacketBatch batch = new PacketBatch(java.lang.foreign.Arena.ofAuto(), 32, 2048);
                for (int i = 0; i < 32; i++) {
                    java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofArray(frame), 0, batch.segment(), batch.offset(i), frame.length);
                    batch.length(i, frame.length);
                }
                batch.count(32);
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long worker = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("jvs-packet-" + lab.directorClientIf + "-0")).findFirst().orElseThrow().threadId();
                SocketFilter engineFilter = SocketFilter.forEngine(NetnsPair.mac(lab.director, lab.directorClientIf),
                        new int[] {Frames.ip(10, 1, 0, 101)}, new int[0]); // what the engine attaches on that link
                AfPacketIo workerSocket = engine.receiveSockets().get(0);
                for (int round = 0; round < 6; round++) {
                    boolean filtered = round % 2 == 0;
                    workerSocket.attachFilter(filtered ? engineFilter : SocketFilter.acceptAll());
                    Thread.sleep(300);
                    long cpu0 = threads.getThreadCpuTime(worker);
                    long rx0 = engine.counters().received();
                    long t0 = System.nanoTime();
                    int sent = 0;
                    while (sent < FRAMES) {
                        sent += client.send(batch);
                    }
                    Thread.sleep(500); // let the worker drain
                    long cpu = threads.getThreadCpuTime(worker) - cpu0;
                    System.out.printf("%-11s %d frames sent in %.0f ms; worker received %d; worker CPU %.1f ms (%.0f ns per frame sent)%n",
                            filtered ? "filter" : "no filter", sent, (System.nanoTime() - t0) / 1e6,
                            engine.counters().received() - rx0, cpu / 1e6, (double) cpu / sent);
                }
            } finally {
                engine.stop(java.time.Duration.ofSeconds(5));
            }
        } finally {
            lb.close();
        }
    }
}
