package org.jvs.core.defense;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvailableMemoryTest {

    @Test
    void parsesMemAvailableInKibibytes() {
        assertThat(AvailableMemory.parseLine("MemAvailable:    8042356 kB")).isEqualTo(8042356L * 1024);
        assertThat(AvailableMemory.parseLine("MemAvailable: 0 kB")).isZero();
    }

    @Test
    void ignoresOtherAndMalformedLines() {
        assertThat(AvailableMemory.parseLine("MemFree:         123 kB")).isEqualTo(-1);
        assertThat(AvailableMemory.parseLine("MemAvailable:   lots kB")).isEqualTo(-1);
        assertThat(AvailableMemory.parseLine("MemAvailable:")).isEqualTo(-1);
        assertThat(AvailableMemory.parseLine("MemAvailable: 12 MB")).isEqualTo(-1);
        assertThat(AvailableMemory.parseLine("MemAvailable: 99999999999999999 kB")).isEqualTo(-1); // overflow
    }

    @Test
    void readsTheMemAvailableLineOfAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("meminfo");
        Files.writeString(f, """
                MemTotal:       16318412 kB
                MemFree:         1034140 kB
                MemAvailable:    9876543 kB
                Buffers:          420364 kB
                """);
        assertThat(AvailableMemory.fromFile(f)).isEqualTo(9876543L * 1024);
    }

    @Test
    void unreadableOrMissingIsMinusOne(@TempDir Path dir) throws IOException {
        assertThat(AvailableMemory.fromFile(dir.resolve("absent"))).isEqualTo(-1);
        Path old = dir.resolve("old-kernel");
        Files.writeString(old, "MemTotal: 1 kB\nMemFree: 1 kB\n");
        assertThat(AvailableMemory.fromFile(old)).isEqualTo(-1);
    }

    @Test
    void readsThisMachine() {
        assertThat(Files.isReadable(Path.of("/proc/meminfo"))).as("/proc/meminfo readable (Linux)").isTrue();
        assertThat(AvailableMemory.fromProcMeminfo()).isPositive();
    }
}
