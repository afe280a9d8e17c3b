package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;

/** Scheduling and connect-failure retry with splice on (all of it happens before splicing starts). */
class TcpSchedulingSpliceTest extends TcpSchedulingTest {
    @Override
    SocketEngine.Options options() {
        return super.options().withTransport("epoll").withSplice(true);
    }

    @AfterEach
    void spliced() {
        assertThat(engine.relayMode()).isEqualTo("splice");
    }
}
