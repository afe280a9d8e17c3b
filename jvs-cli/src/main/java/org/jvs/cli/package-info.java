/**
 * The ipvsadm command language for JVS, as a library: {@link org.jvs.cli.IpvsadmParser} turns an argument
 * vector into an {@link org.jvs.cli.IpvsadmCommand}, {@link org.jvs.cli.CommandExecutor} applies it to a
 * {@link org.jvs.core.LoadBalancer} and prints what ipvsadm would print, {@link org.jvs.cli.IpvsadmFormat}
 * renders listings byte for byte as ipvsadm 1.31 does, and {@link org.jvs.cli.JsonFormat} renders the same
 * data as JSON. No I/O of its own beyond the {@code PrintStream} it is given; no networking, no name
 * resolution.
 */
package org.jvs.cli;
