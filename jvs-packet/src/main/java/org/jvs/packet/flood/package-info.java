/**
 * Traffic for tests and benchmarks, written with the packet engine's own raw-frame I/O: {@link
 * org.jvs.packet.flood.SynFlood} sends bounded floods of 40-byte SYNs from random sources (what the LVS thesis
 * measured directors with, and what a SYN-flood attack looks like). The netns lab's attack tests and
 * {@code bench/packet-engine.sh} run it inside a client namespace; nothing in the engine uses it.
 */
package org.jvs.packet.flood;
