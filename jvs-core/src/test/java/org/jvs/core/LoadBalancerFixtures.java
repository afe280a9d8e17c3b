package org.jvs.core;

/** Test-only access to package-private parts of the core used by tests in other packages. */
public final class LoadBalancerFixtures {
    private LoadBalancerFixtures() {
    }

    public static Registry registry() {
        return new Registry(new DestRegistry());
    }

    /** A dest registry to hand to a connection table under test. */
    public record Registry(DestRegistry registry) {
        /** Registers a fixture dest under a fresh id and returns the registered copy. */
        public Dest add(Dest template) {
            Dest d = new Dest(registry.allocate(), DestFixtures.service("rr"), template.spec());
            registry.put(d);
            return d;
        }
    }
}
