/**
 * Director failover: VRRP (RFC 5798 version 3 and RFC 3768 version 2, interoperating with keepalived), its
 * state machine, the virtual addresses that move with the master, gratuitous ARP, tracking of interfaces,
 * scripts and services, sync groups and notify hooks. Raw IP sockets through FFM.
 */
package org.jvs.vrrp;
