package org.jvs.vrrp;

import java.util.List;

/**
 * What happens to an instance's virtual addresses when it becomes master ({@link #up}), stops being master
 * ({@link #down}), and when gratuitous ARPs are due ({@link #announce}). The default, {@link KernelVipHandler},
 * adds and removes the addresses on the kernel's interfaces through rtnetlink and sends gratuitous ARP; a data
 * plane that owns its virtual addresses itself (the packet engine) implements this interface instead and may
 * use {@link org.jvs.vrrp.io.GarpSender} for the announcements.
 *
 * <p>All methods are called on the daemon's protocol thread, which is in the network namespace the daemon was
 * started in; they must not block for long (adverts wait meanwhile). An exception is logged and counted, the
 * state machine goes on.
 */
public interface VipHandler {

    /** Called once on the protocol thread before any instance starts; a failure fails {@code VrrpDaemon.start()}. */
    default void open(VrrpConfig config) {
    }

    /** The instance became master: bring {@code addresses} up. */
    void up(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses);

    /** The instance is no longer master (backup, fault, stop, or its start): take {@code addresses} down. */
    void down(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses);

    /** Send {@code repeat} gratuitous ARPs for each of {@code addresses} (from the device each is on). */
    void announce(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses, int repeat);

    /** The daemon is closing (after every instance went down). */
    default void close() {
    }

    /** A handler that does nothing (tests; a director that handles addresses elsewhere from transition events). */
    VipHandler NONE = new VipHandler() {
        @Override
        public void up(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
        }

        @Override
        public void down(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
        }

        @Override
        public void announce(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses, int repeat) {
        }
    };
}
