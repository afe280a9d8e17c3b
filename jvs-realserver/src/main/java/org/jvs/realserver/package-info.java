/**
 * The real-server side of VS/TUN, for hosts whose kernel has no tunnel modules (no {@code ipip}, {@code fou},
 * {@code ip_gre}, as on many container hosts and on this project's CI machine): {@code bin/jvs realserver} receives
 * the director's IPIP and GRE packets on raw sockets and its GUE packets on a UDP socket, checks and strips the
 * outer headers ({@link org.jvs.realserver.Decapsulator}), and writes the inner packet into a TUN device that holds
 * the VIPs ({@link org.jvs.packet.TunDevice}, {@link org.jvs.realserver.Endpoint}), so the kernel receives it as if it had arrived addressed to the
 * VIP and answers the client directly. Only packets to a configured VIP are delivered (and, when given, only from
 * the configured directors): the helper is not an open relay. Where the kernel has the modules, its own tunnels do
 * the same job (docs/packet.md, "VS/TUN").
 */
package org.jvs.realserver;
