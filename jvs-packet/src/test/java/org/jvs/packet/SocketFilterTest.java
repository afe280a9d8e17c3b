package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The program's shape; what it lets through is tested against the kernel in PacketEngineNetnsTest. */
class SocketFilterTest {

    @Test
    void arpVlanThenIpv4ToTheMacThenTheAddresses() {
        SocketFilter f = SocketFilter.forEngine(0x02_00_00_00_00_01L, new int[] {0x0a010064}, new int[] {0x0a020002});
        assertThat(f.toString()).isEqualTo("""
                { 0x28, 0, 0, 0x0000000c },
                { 0x15, 0, 1, 0x00000806 },
                { 0x06, 0, 0, 0x00040000 },
                { 0x15, 0, 1, 0x00008100 },
                { 0x06, 0, 0, 0x00040000 },
                { 0x15, 1, 0, 0x00000800 },
                { 0x06, 0, 0, 0x00000000 },
                { 0x20, 0, 0, 0x00000000 },
                { 0x15, 1, 0, 0x02000000 },
                { 0x06, 0, 0, 0x00000000 },
                { 0x28, 0, 0, 0x00000004 },
                { 0x15, 1, 0, 0x00000001 },
                { 0x06, 0, 0, 0x00000000 },
                { 0x20, 0, 0, 0x0000001e },
                { 0x15, 0, 1, 0x0a010064 },
                { 0x06, 0, 0, 0x00040000 },
                { 0x20, 0, 0, 0x0000001a },
                { 0x15, 0, 1, 0x0a020002 },
                { 0x06, 0, 0, 0x00040000 },
                { 0x06, 0, 0, 0x00000000 },
                """.replace("\n", System.lineSeparator()));
    }

    @Test
    void tooManyAddressesAcceptEveryIpv4FrameToTheMac() {
        SocketFilter f = SocketFilter.forEngine(0x02_00_00_00_00_01L, new int[3000], new int[0]);
        assertThat(f.length()).isEqualTo(14);
        assertThat(f.instructions()[13]).isEqualTo(0x0006_0000_0004_0000L);
        assertThat(SocketFilter.acceptAll().length()).isEqualTo(1);
    }
}
