package org.jvs.vrrp.e2e;

import java.util.List;

import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpDaemon;

/** Started in a child JVM without CAP_NET_RAW: prints what {@link VrrpDaemon#start()} throws. */
public final class RawSocketProbe {
    private RawSocketProbe() {
    }

    public static void main(String[] args) {
        VrrpDaemon d = new VrrpDaemon(new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "lo", 1).build())));
        try {
            d.start();
            System.out.println("STARTED");
            d.close();
        } catch (RuntimeException e) {
            System.out.println("REFUSED " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
