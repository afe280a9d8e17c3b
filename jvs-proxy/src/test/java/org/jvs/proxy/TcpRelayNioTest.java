package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The relay tests again on the JDK's NIO transport (the fallback where epoll is missing). */
class TcpRelayNioTest extends TcpRelayTest {
    @Override
    SocketEngine.Options options() {
        return super.options().withNativeTransport(false);
    }

    @Test
    void runsOnNio() {
        assertThat(engine.transportName()).isEqualTo("nio");
    }
}
