package org.jvs.core.sched;

/**
 * Deterministic 64-bit hashing of an address (two longs, see {@link org.jvs.core.model.IpAddr}) and a
 * port, for the hashing schedulers and the locality tables. Pure arithmetic: it allocates nothing and gives
 * the same value on every JVM, which consistent hashing across directors relies on.
 */
final class AddrHash {
    private AddrHash() {
    }

    /**
     * A bijective 64-bit finalizer (splitmix64's): every input bit flips about half of the output bits,
     * so structured keys (consecutive addresses, one subnet) still spread over all buckets.
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Hash of (hi, lo, port) under {@code seed}. Each word is absorbed into a state that is fully mixed
     * before the next one, so different seeds give independent functions (Maglev needs two).
     */
    static long hash(long seed, long hi, long lo, int port) {
        long h = mix(seed ^ hi);
        h = mix(h ^ lo);
        return mix(h ^ (port & 0xFFFF_FFFFL) ^ 0x9E37_79B9_7F4A_7C15L);
    }
}
