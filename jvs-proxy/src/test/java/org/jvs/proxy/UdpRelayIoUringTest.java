package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Udp relay tests again on io_uring (this machine's kernel allows it; CI's too: it is the same image). */
class UdpRelayIoUringTest extends UdpRelayTest {
    @Override
    SocketEngine.Options options() {
        return super.options().withTransport("io_uring");
    }

    @Test
    void runsOnIoUring() {
        assertThat(engine.transportName()).isEqualTo("io_uring");
    }
}
