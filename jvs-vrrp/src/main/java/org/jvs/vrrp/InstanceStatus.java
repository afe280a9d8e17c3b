package org.jvs.vrrp;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one instance for the director's status and API.
 *
 * @param name              the vrrp_instance name
 * @param state             INIT, BACKUP, MASTER, FAULT or STOP
 * @param priority          the priority in adverts now (configured plus tracking weights; 0 never shows here)
 * @param configuredPriority the configured priority
 * @param advertInterval    the interval in effect: our own as master, the master's (learned in v3) as backup
 * @param masterAddress     the master as last seen (our own address when master), null before any
 * @param virtualAddresses  the configured virtual addresses, "A.B.C.D/len" (plus " dev IF" when given)
 * @param syncGroup         the sync group's name, or null
 * @param counters          adverts, transitions and drops
 */
public record InstanceStatus(String name, VrrpState state, int priority, int configuredPriority,
                             Duration advertInterval, String masterAddress, List<String> virtualAddresses,
                             String syncGroup, Counters counters) {

    /**
     * @param advertsSent          adverts sent (including priority 0)
     * @param advertsReceived      adverts for this VRID that passed validation
     * @param priorityZeroSent     priority-0 adverts sent (shutdown, fault)
     * @param priorityZeroReceived priority-0 adverts received
     * @param transitions          state changes
     * @param becameMaster         times this instance became master
     * @param drops                per {@link DropReason}: packets for this VRID dropped (ADDRESS_LIST_MISMATCH:
     *                             counted, processed anyway; UNKNOWN_VRID: packets on the instance's interface
     *                             for a VRID nobody runs)
     */
    public record Counters(long advertsSent, long advertsReceived, long priorityZeroSent, long priorityZeroReceived,
                           long transitions, long becameMaster, Map<DropReason, Long> drops) {
        public Counters {
            drops = Map.copyOf(drops);
        }

        public long drops(DropReason r) {
            return drops.getOrDefault(r, 0L);
        }
    }
}
