package org.jvs.core;

/**
 * The answer to "where would this flow go?": the dest (null when none) and why.
 */
public record FlowAnswer(Dest dest, Reason reason, String detail) {
    public enum Reason {
        /** The flow is already a connection in the table. */
        EXISTING_CONNECTION,
        /** The client has a live persistence template. */
        PERSISTENCE_TEMPLATE,
        /** The service's scheduler would pick it now. */
        SCHEDULER,
        /** No service matches the destination. */
        NO_SERVICE,
        /** The service has no usable real server. */
        NO_USABLE_DEST
    }
}
