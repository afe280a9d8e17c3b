package org.jvs.core.model;

/**
 * Persistence ({@code -p [timeout] -M netmask}): clients in the same {@code netmask} network keep going to
 * the same real server for {@code timeoutSeconds} after their last connection ends.
 */
public record Persistence(int timeoutSeconds, int prefixLength) {
    public static final int DEFAULT_TIMEOUT = 360;

    public Persistence {
        if (timeoutSeconds < 1 || timeoutSeconds > 31_536_000) {
            throw new ConfigException("persistence timeout " + timeoutSeconds + " out of range 1..31536000 seconds");
        }
        if (prefixLength < 0 || prefixLength > 128) {
            throw new ConfigException("persistence netmask /" + prefixLength + " out of range");
        }
    }

    /** Default netmask: /32 for IPv4, /128 for IPv6. */
    public static Persistence of(int timeoutSeconds, boolean v6) {
        return new Persistence(timeoutSeconds, v6 ? 128 : 32);
    }
}
