package org.jvs.vrrp;

/** A configuration the VRRP daemon refuses; the message names the instance (or script, or group) and the field. */
public final class VrrpConfigException extends IllegalArgumentException {
    public VrrpConfigException(String message) {
        super(message);
    }
}
