/**
 * Connection state: the IPVS TCP states ({@link org.jvs.core.conn.TcpState}), the transition tables
 * ({@link org.jvs.core.conn.TcpStateMachine}) and the per-state timeouts ({@link org.jvs.core.conn.Timeouts}).
 *
 * <p>Hot: {@code TcpStateMachine.next}, {@code TcpState.of} and the {@code Timeouts} getters run for every
 * packet that moves a connection, on data-plane threads. They allocate nothing, take no lock and never block:
 * a table index, a volatile read of an immutable array.
 *
 * <p>Ownership: the state tables are constants. {@code Timeouts} is written by the control thread only
 * ({@code ipvsadm --set}) and read by every data-plane thread; a write publishes a new array (copy-on-write),
 * so readers never need a lock. Which table applies (normal or secure_tcp) is decided per packet by the caller
 * from {@link org.jvs.core.defense.DefenseState#secureTcpActive()}.
 */
package org.jvs.core.conn;
