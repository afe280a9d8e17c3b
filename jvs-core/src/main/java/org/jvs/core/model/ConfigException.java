package org.jvs.core.model;

/**
 * A configuration request that JVS refuses: bad values, illegal combinations, duplicates, unknown names.
 * The message is meant for the administrator as it stands ("weight 70000 out of range 0..65535").
 * Whoever throws it has not changed any state.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
