package servelab.kernels.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class HugePageArenaTest {
    private static final long MIB = 1 << 20;

    @Test
    void largeAllocationsStartOnA2MiBBoundaryZeroedAndMarked() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "mmap and madvise are Linux's here");
        try (var arena = new HugePageArena()) {
            var segment = arena.allocate(5 * MIB + 3, 64);
            assertEquals(5 * MIB + 3, segment.byteSize());
            assertEquals(0, segment.address() % (2 * MIB), "2 MiB aligned");
            assertEquals(-1, segment.mismatch(MemorySegment.ofArray(new byte[(int) segment.byteSize()])), "zeroed");
            segment.set(ValueLayout.JAVA_BYTE, segment.byteSize() - 1, (byte) 7);
            assertEquals(7, segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1));
            assertTrue(arena.marked());
        }
    }

    @Test
    void smallAllocationsComeFromAnOrdinaryArena() {
        try (var arena = new HugePageArena()) {
            var segment = arena.allocate(4096, 64);
            assertEquals(0, segment.address() % 64);
            assertFalse(arena.marked(), "less than a huge page is not worth a mapping of its own");
        }
    }

    @Test
    void segmentsCannotBeReadAfterClose() {
        var arena = new HugePageArena();
        var large = arena.allocate(3 * MIB, 64);
        var small = arena.allocate(64, 64);
        arena.close();
        assertThrows(IllegalStateException.class, () -> large.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> small.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void theKernelBacksAMarkedAllocationWithHugePages() throws IOException {
        var thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(thp) && !Files.readString(thp).contains("[never]"), "transparent huge pages are off");
        try (var arena = new HugePageArena()) {
            var segment = arena.allocate(8 * MIB, 64);
            segment.fill((byte) 1);   // fault the pages in
            assertTrue(anonHugePagesKb(segment.address()) > 0, "no huge page backs the mapping");
        }
    }

    /** AnonHugePages of the mapping in /proc/self/smaps that holds {@code address}. */
    private static long anonHugePagesKb(long address) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = HexFormat.fromHexDigitsToLong(line.substring(0, dash));
                long end = HexFormat.fromHexDigitsToLong(line.substring(dash + 1, space));
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
