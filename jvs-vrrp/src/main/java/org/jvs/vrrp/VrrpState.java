package org.jvs.vrrp;

/**
 * The state of an instance (RFC 5798 6.4 plus keepalived's FAULT and STOP). The names are those keepalived
 * passes to {@code notify} scripts: {@code MASTER}, {@code BACKUP}, {@code FAULT}, {@code STOP}.
 */
public enum VrrpState {
    /** Configured, not started (RFC "Initialize"). */
    INIT,
    BACKUP,
    MASTER,
    /** A tracked interface, script or service with weight 0 failed (or the instance's own interface is down). */
    FAULT,
    /** Shut down (daemon closed, or instance removed by a reload). */
    STOP
}
