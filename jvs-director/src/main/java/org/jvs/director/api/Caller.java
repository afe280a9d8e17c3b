package org.jvs.director.api;

/**
 * Who sent a control request, as its transport established it: the Unix socket's owner, the
 * {@code control_tcp} token, or one of the HTTPS API's named tokens. {@code readWrite} false means the
 * caller may look but not change anything (403).
 */
public record Caller(String name, boolean readWrite) {
    /** Whoever can open the Unix socket (mode 0600): the director's own user. */
    public static final Caller LOCAL = new Caller("unix socket", true);
}
