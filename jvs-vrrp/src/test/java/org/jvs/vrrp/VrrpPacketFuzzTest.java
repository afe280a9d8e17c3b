package org.jvs.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Bounded fuzzing of the VRRP decoder, which reads whatever arrives on protocol 112: random bytes and mutated
 * valid advertisements (v2 and v3, with and without a password) never throw; whatever {@link VrrpPacket#check}
 * accepts is consistent (its length is the one its address count implies, and every accessor stays inside it).
 */
class VrrpPacketFuzzTest {
    static final int SRC = Ipv4.parse("192.0.2.2");

    @Property(tries = 3000)
    void randomBytesNeverThrow(@ForAll @Size(max = 1200) byte[] bytes, @ForAll @IntRange(min = 0, max = 0x7fffffff) int dst) {
        decode(bytes, dst);
    }

    @Property(tries = 5000)
    void mutatedAdvertisementsNeverThrowAndWhatPassesIsConsistent(@ForAll @IntRange(min = 2, max = 3) int version,
                                                                   @ForAll @IntRange(min = 0, max = 20) int addresses,
                                                                   @ForAll @IntRange(min = 0, max = 6) int mutations,
                                                                   @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] addrs = new int[addresses];
        for (int i = 0; i < addrs.length; i++) {
            addrs[i] = rnd.nextInt();
        }
        byte[] buf = new byte[VrrpPacket.expectedLength(version, addresses) + 8];
        int len = VrrpPacket.write(MemorySegment.ofArray(buf), 0, version, 1 + rnd.nextInt(255), rnd.nextInt(256), 100 * (1 + rnd.nextInt(40)),
                addrs, version == 2 ? rnd.nextInt(2) : 0, version == 2 ? "secret".getBytes() : null, SRC, VrrpPacket.MULTICAST_GROUP);
        int length = len;
        for (int m = 0; m < mutations; m++) {
            switch (rnd.nextInt(3)) {
                case 0 -> buf[rnd.nextInt(len)] = (byte) rnd.nextInt(256);
                case 1 -> buf[rnd.nextInt(4)] = (byte) rnd.nextInt(256); // version/type, vrid, priority, count
                default -> length = Math.max(0, Math.min(buf.length, length + rnd.nextInt(9) - 4));
            }
        }
        byte[] frame = java.util.Arrays.copyOf(buf, length);
        decode(frame, VrrpPacket.MULTICAST_GROUP);
    }

    private static void decode(byte[] bytes, int dst) {
        VrrpPacket p = new VrrpPacket().wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        DropReason r = p.check(SRC, dst);
        if (r == null) {
            assertThat(p.length()).isEqualTo(VrrpPacket.expectedLength(p.version(), p.addressCount()));
            assertThat(p.addresses()).hasSize(p.addressCount());
            p.priority();
            p.virtualRouterId();
            p.advertIntervalCentis();
            if (p.version() == 2) {
                assertThat(p.authData()).hasSize(VrrpPacket.AUTH_DATA_LENGTH);
            }
        }
    }
}
