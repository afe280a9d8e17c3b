/**
 * DoS defense (thesis 5.2.9): the drop_entry, drop_packet and secure_tcp strategies and their switching on
 * available memory ({@link org.jvs.core.defense.DefenseState}), and where that memory figure comes from
 * ({@link org.jvs.core.defense.AvailableMemory}).
 *
 * <p>Hot: {@code DefenseState.shouldDropPacket()}, {@code secureTcpActive()} and {@code dropEntryActive()} are
 * called by data-plane threads per packet (the first only for connection-creating packets); they read volatile
 * fields and count down an atomic integer, with no lock and no allocation.
 *
 * <p>Cold: {@code DefenseState.update()} runs once a second on the housekeeping thread and reads /proc/meminfo
 * through the injected supplier; the setters run on the control thread. Both serialise on a private lock that
 * the data plane never takes.
 */
package org.jvs.core.defense;
