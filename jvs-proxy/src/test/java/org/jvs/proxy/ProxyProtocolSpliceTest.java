package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;

/** The PROXY header tests with splice on: the header is written before splicing starts, then the client's bytes follow it. */
class ProxyProtocolSpliceTest extends ProxyProtocolTest {
    @Override
    SocketEngine.Options options() {
        return super.options().withTransport("epoll").withSplice(true);
    }

    @AfterEach
    void spliced() {
        assertThat(engine.relayMode()).isEqualTo("splice");
    }
}
