package org.jvs.director;

/** The JVS version, shown by the API and {@code jvsadm -V}. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}
