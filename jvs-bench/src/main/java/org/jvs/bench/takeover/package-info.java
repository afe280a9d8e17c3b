/**
 * The takeover benchmark ({@code bin/jvs takeover}): in the failover lab, the VRRP master of a director pair is
 * killed again and again and the run times how long the backup takes to answer for the VIP, for a pair of JVS
 * directors and, side by side, for a pair of real keepalived daemons; for JVS it also counts the established
 * connections that survive each takeover. Everything runs in namespaces the run creates and deletes.
 */
package org.jvs.bench.takeover;
