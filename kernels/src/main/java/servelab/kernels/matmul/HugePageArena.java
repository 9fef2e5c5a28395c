package servelab.kernels.matmul;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Memory for weights that are read again and again, in 2 MiB pages where Linux gives them: each allocation is its
 * own anonymous mapping, aligned to 2 MiB and marked {@code madvise(MADV_HUGEPAGE)} before it is touched. A model
 * file mapped from the page cache already comes in large pages, while memory from {@link Arena#allocate} comes in
 * 4 KiB pages unless the system's transparent huge pages are {@code always} (here they are {@code madvise}); a
 * streaming read then meets a TLB miss every 4 KiB and the hardware prefetcher stops at every page edge.
 *
 * <p>Elsewhere (not Linux, no {@code mmap} in the C library, a refused mapping) it allocates from an ordinary shared
 * arena. The mappings are zeroed by the kernel, as {@link Arena#allocate} zeroes its memory. {@link #close} unmaps
 * them; segments from it may not be used after.
 */
final class HugePageArena implements Arena {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null, madvise = null, munmap = null;
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            var linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            Optional<MemorySegment> m = libc.find("mmap"), a = libc.find("madvise"), u = libc.find("munmap");
            if (m.isPresent() && a.isPresent() && u.isPresent()) {
                mmap = linker.downcallHandle(m.get(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                madvise = linker.downcallHandle(a.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
                munmap = linker.downcallHandle(u.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private final Arena scope = Arena.ofShared();
    private final List<MemorySegment> mappings = new ArrayList<>();
    private boolean huge;

    /** Whether any allocation so far was marked for huge pages (the kernel may still give small ones). */
    synchronized boolean marked() {
        return huge;
    }

    @Override
    public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
        if (MMAP == null || byteSize < HUGE || byteAlignment > HUGE) return scope.allocate(byteSize, byteAlignment);
        long length = byteSize + HUGE;   // room to start on a 2 MiB boundary
        MemorySegment mapping;
        try {
            mapping = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + length + " bytes failed", e);
        }
        if (mapping.address() == -1L) return scope.allocate(byteSize, byteAlignment);   // MAP_FAILED
        mappings.add(mapping.reinterpret(length));
        long start = (mapping.address() + HUGE - 1) & -HUGE;
        var segment = MemorySegment.ofAddress(start).reinterpret((byteSize + HUGE - 1) & -HUGE, scope, null);
        try {
            huge |= (int) MADVISE.invokeExact(segment, segment.byteSize(), MADV_HUGEPAGE) == 0;
        } catch (Throwable e) {
            throw new IllegalStateException("madvise failed", e);
        }
        return segment.asSlice(0, byteSize);
    }

    @Override
    public MemorySegment.Scope scope() {
        return scope.scope();
    }

    @Override
    public synchronized void close() {
        scope.close();
        for (var m : mappings) {
            try {
                int ignored = (int) MUNMAP.invokeExact(m, m.byteSize());
            } catch (Throwable e) {
                throw new IllegalStateException("munmap failed", e);
            }
        }
        mappings.clear();
    }
}
