package org.jvs.vrrp;

import java.time.Instant;

/** Told of every state change of every instance, on the protocol thread: return quickly, do not block. */
@FunctionalInterface
public interface TransitionListener {

    void transition(Transition t);

    /**
     * @param instance  the vrrp_instance
     * @param syncGroup its sync group, or null
     * @param from      the state left
     * @param to        the state entered
     * @param priority  the instance's priority at the time
     * @param reason    why, in words (also in the log line)
     * @param at        wall-clock time
     */
    record Transition(String instance, String syncGroup, VrrpState from, VrrpState to, int priority, String reason,
                      Instant at) {
    }
}
