package org.jvs.director.e2e;

import org.jvs.testkit.netns.Lab;

/**
 * Every case of {@link PacketTunEndToEndTest} again on veths with transmit checksum offload (and TSO with it)
 * turned off: frames finished and no larger than the MTU (so no remote checksum is left to the real servers, and
 * no super-frame to cut), the other way users' interfaces are set up.
 */
class PacketTunOffloadsOffEndToEndTest extends PacketTunEndToEndTest {
    @Override
    Lab.Builder labOptions(Lab.Builder b) {
        return b.offloads(false);
    }
}
