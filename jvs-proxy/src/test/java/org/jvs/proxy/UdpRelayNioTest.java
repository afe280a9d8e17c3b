package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The UDP tests again on the JDK's NIO transport. */
class UdpRelayNioTest extends UdpRelayTest {
    @Override
    SocketEngine.Options options() {
        return super.options().withNativeTransport(false);
    }

    @Test
    void runsOnNio() {
        assertThat(engine.transportName()).isEqualTo("nio");
    }
}
