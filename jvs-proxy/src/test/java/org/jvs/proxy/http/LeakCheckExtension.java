package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test class whose buffers Netty's PARANOID leak detector finds unreleased. */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        assertThat(LeakRecorder.installed())
                .as("run in the l7-paranoid surefire execution (leak detector PARANOID, LeakRecorder installed)")
                .isTrue();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        assertThat(LeakRecorder.sweep()).as("leaked buffers").isEmpty();
    }
}
