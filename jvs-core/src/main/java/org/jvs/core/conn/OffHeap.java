package org.jvs.core.conn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Large zeroed off-heap regions for the connection table, mapped straight from the kernel:
 * <ul>
 * <li>anonymous {@code mmap}: pages are committed on first touch, so a table sized for ten million entries
 * costs memory only for the entries it has held;</li>
 * <li>{@code madvise(MADV_HUGEPAGE)}: random lookups over hundreds of megabytes miss the TLB on nearly every
 * access with 4 KiB pages; 2 MiB pages take most page walks off each lookup.</li>
 * </ul>
 * Where the calls are unavailable (not Linux, native access denied) it falls back to {@link Arena#allocate},
 * which zeroes and commits at once. Everything here is control plane: it runs when a table is created.
 */
final class OffHeap {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long HUGE_PAGE = 2L << 20;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = find(linker, libc, "mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                munmap = find(linker, libc, "munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                madvise = find(linker, libc, "madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            }
        } catch (RuntimeException | LinkageError e) {
            mmap = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private OffHeap() {
    }

    private static MethodHandle find(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        Optional<MemorySegment> sym = lookup.find(name);
        return sym.map(s -> linker.downcallHandle(s, fd)).orElse(null);
    }

    /** A zeroed region of {@code bytes}, released when {@code arena} closes. Reports whether it is mapped. */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (MMAP != null && MUNMAP != null) {
            try {
                MemorySegment addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (addr.address() != -1L && addr.address() != 0L) {
                    if (MADVISE != null && bytes >= HUGE_PAGE) {
                        // Best effort: without transparent huge pages the advice is simply ignored.
                        int ignored = (int) MADVISE.invokeExact(addr, bytes, MADV_HUGEPAGE);
                    }
                    long size = bytes;
                    return addr.reinterpret(bytes, arena, seg -> unmap(seg, size));
                }
            } catch (Throwable e) {
                // fall through to the portable allocation
            }
        }
        return arena.allocate(bytes, 8);
    }

    private static void unmap(MemorySegment seg, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(seg, bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
