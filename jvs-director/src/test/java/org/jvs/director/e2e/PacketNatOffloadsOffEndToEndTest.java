package org.jvs.director.e2e;

import org.jvs.testkit.netns.Lab;

/**
 * Every case of {@link PacketNatEndToEndTest} again on veths with transmit checksum offload (and TSO with it)
 * turned off: frames finished and no larger than the MTU, the other way users' interfaces are set up.
 */
class PacketNatOffloadsOffEndToEndTest extends PacketNatEndToEndTest {
    @Override
    Lab.Builder labOptions(Lab.Builder b) {
        return b.offloads(false);
    }
}
