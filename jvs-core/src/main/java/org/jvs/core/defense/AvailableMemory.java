package org.jvs.core.defense;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The production source of the available-memory figure for {@link DefenseState}: {@code MemAvailable} of
 * /proc/meminfo. IPVS counts free plus buffer pages; MemAvailable is the kernel's own, better estimate of
 * what can be allocated without swapping, and it covers the off-heap memory the connection table grows into.
 */
public final class AvailableMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private AvailableMemory() {
    }

    /** MemAvailable in bytes, or -1 if /proc/meminfo cannot be read or has no such line (not Linux, old kernel). */
    public static long fromProcMeminfo() {
        return fromFile(MEMINFO);
    }

    /** As {@link #fromProcMeminfo()} for a file in the meminfo format (tests, containers with a mounted copy). */
    public static long fromFile(Path meminfo) {
        try (BufferedReader r = Files.newBufferedReader(meminfo, StandardCharsets.US_ASCII)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                long v = parseLine(line);
                if (v >= 0) {
                    return v;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1; // "unknown": DefenseState then treats memory as sufficient
        }
    }

    /** The byte count of a {@code MemAvailable:   123456 kB} line; -1 for any other or malformed line. */
    static long parseLine(String line) {
        if (!line.startsWith("MemAvailable:")) {
            return -1;
        }
        String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
        try {
            long v = Long.parseLong(f[0]);
            if (v < 0) {
                return -1;
            }
            if (f.length == 1) {
                return v; // no unit: bytes
            }
            // /proc/meminfo says "kB" and means KiB.
            return switch (f[1]) {
                case "kB", "KB", "kb" -> Math.multiplyExact(v, 1024L);
                default -> -1;
            };
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }
}
