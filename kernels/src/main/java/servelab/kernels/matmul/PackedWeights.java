package servelab.kernels.matmul;

import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import servelab.kernels.Kernels;
import servelab.kernels.MatmulOffload;
import servelab.kernels.Parallel;

/**
 * The {@code cpu-packed} kernels' matmuls: every Q8_0, Q4_0, F16 and BF16 weight matrix is repacked into
 * {@link PackedPanels} on its first matmul and kept (off the Java heap, freed by {@link #close}); F32 matrices stay
 * with the Vector API kernels ({@link Kernels#offload}). A model's packed copy costs about its own bytes again beside
 * the mapped file (Q8_0 1.06x, F16 and BF16 1.00x, Q4_0 2.00x: its nibbles are unpacked to bytes, unless
 * {@code -Dservelab.packed.q4=nibbles} keeps them, 1.11x and slower: {@link PackedQ4}).
 * The copies are asked for in 2 MiB pages ({@link HugePageArena}): in 4 KiB pages the 1B Q8_0 model's batch-1 decode
 * on two threads ran about a tenth slower.
 *
 * {@snippet :
 * try (var packed = new PackedWeights(Parallel.of(2))) {
 *     var kernels = Kernels.offload(Kernels.vector(Parallel.of(2)), packed);
 *     // forward passes on kernels; the first step packs the Q8_0 matrices it meets
 * }
 * }
 */
public final class PackedWeights implements MatmulOffload {
    private final Parallel parallel;
    /** {@code -Dservelab.packed.hugepages=false} keeps the packed copies in ordinary (4 KiB-page) memory, to compare. */
    static final boolean HUGE_PAGES = Boolean.parseBoolean(System.getProperty("servelab.packed.hugepages", "true"));

    private final Arena arena = HUGE_PAGES ? new HugePageArena() : Arena.ofShared();
    private final Map<Matrix, PackedPanels> packed = new ConcurrentHashMap<>();

    public PackedWeights(Parallel parallel) {
        if (!PackedPanels.supported()) {
            throw new IllegalStateException("the packed kernels need 256-bit vectors; this machine's preferred "
                    + "float vector is " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
        this.parallel = parallel;
    }

    @Override
    public boolean handles(Matrix w) {
        return PackedPanels.packs(w.format());
    }

    @Override
    public void matmul(Matrix w, float[] x, int batch, float[] out) {
        packed.computeIfAbsent(w, m -> PackedPanels.pack(m, arena, parallel)).matmul(x, batch, out, parallel);
    }

    @Override
    public String describe() {
        return "Q8_0, Q4_0, F16 and BF16 weights repacked into 16-row panels (outer-product tiles"
                + (PackedPanels.WIDE ? ", batches 1-8 in 512-bit vectors" : "")
                + (HUGE_PAGES ? ", memory marked for 2 MiB pages" : ", 4 KiB pages") + "); F32 on the Vector API kernels";
    }

    /** Frees the packed copies; no matmul may run after. */
    @Override
    public void close() {
        packed.clear();
        arena.close();
    }
}
