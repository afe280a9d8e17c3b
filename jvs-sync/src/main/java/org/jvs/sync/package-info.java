/**
 * Connection synchronization between directors: the IPVS sync protocol (versions 0 and 1, byte for byte as the
 * kernel's {@code ip_vs_sync.c} defines them), the master daemon that batches new and changed connections into
 * multicast messages, and the backup daemon that creates them in its own connection table, so established
 * connections survive a takeover. Depends on the JDK and the core only.
 */
package org.jvs.sync;
