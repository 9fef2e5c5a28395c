package servelab.kernels.matmul;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The batched matmul's tiles for weights that are floats or widen to them exactly (F16, BF16, F32): rows widened once
 * per column panel and met by pairs of inputs in a register tile of four rows by two inputs ({@link F32#panel4x2}).
 * {@link MatMul#vector} hands each thread its tiles of rows and inputs.
 */
final class FloatTiles {
    private FloatTiles() {}

    /**
     * Columns of a panel in {@link #tile}: four widened rows of it (16 KiB) and two inputs' (8 KiB) stay in a
     * 32 KiB L1. Measured on the AVX2 machine of the kernels README: 1024 ran 1.12x the speed of 512 at batch 32 and
     * the same at batch 8; the tile alone on L1-resident data does 1.5, 2.0-2.3, 3.1, 3.7 and 1.7 G fma per
     * CPU-second with panels of 128, 256, 512, 1024 and 2048 columns (2048: 48 KiB, out of L1).
     */
    private static final int PANEL = 1024;
    /**
     * F16 and BF16 at batch 1 widened in registers ({@link F16#dotWidened}, {@link BF16#dotWidened});
     * {@code -Dservelab.f16.buffered=true}: into a row first, to compare.
     */
    static final boolean WIDEN_IN_REGISTERS = !Boolean.getBoolean("servelab.f16.buffered");

    /**
     * Outputs of F16, BF16 or F32 weight rows {@code r0..r1-1} for inputs {@code t0..t1-1}. Four rows at a time are
     * cut into column panels of {@value #PANEL}; each
     * panel is widened (F16, BF16) or copied (F32) into floats once and then met by every pair of inputs of the tile
     * in a four-by-two register tile ({@link F32#panel4x2}), whose accumulators wait in {@code partial} between
     * panels; {@link F32#finish4x2} adds the columns after the panels and writes the outputs. An odd last input
     * takes the tile as both inputs of its pair. A single input (batch 1; F16 and BF16 rows widened in registers,
     * {@link F16#dotWidened}, {@link BF16#dotWidened}) and leftover rows (fewer than four) take the whole widened row and
     * {@link F32#dotVector(float[], int, float[], int, int)}, which does the same operations per output, also at
     * batch 1, so that a row's result does not depend on the batch.
     */
    static void tile(Matrix w, float[] x, float[] out, int r0, int r1, int t0, int t1) {
        int cols = w.cols();
        if (w.format() == WeightFormat.F32 && t1 - t0 < 2) {
            // one input: nothing to share a copied row with, so dot the mapped weights directly (same operations)
            for (int r = r0; r < r1; r++) {
                out[t0 * w.rows() + r] = F32.dotVector(w.data(), w.rowOffset(r), x, t0 * cols, cols,
                        SCRATCH.get().lanes);
            }
            return;
        }
        if (w.format() != WeightFormat.F32 && t1 - t0 < 2 && WIDEN_IN_REGISTERS) {
            // one input: widen each F16 or BF16 row in registers as it streams (same operations, no buffer)
            boolean f16 = w.format() == WeightFormat.F16;
            var lanes = SCRATCH.get().lanes;
            for (int r = r0; r < r1; r++) {
                out[t0 * w.rows() + r] = f16 ? F16.dotWidened(w.data(), w.rowOffset(r), x, t0 * cols, cols, lanes)
                        : BF16.dotWidened(w.data(), w.rowOffset(r), x, t0 * cols, cols, lanes);
            }
            return;
        }
        int slots = (t1 - t0 + 1) / 2; // pairs of inputs, the last one possibly a single input
        var scratch = SCRATCH.get();
        var panel = scratch.panel;
        var row = scratch.row(cols);
        var partial = scratch.partial(slots * F32.PARTIAL_4X2);
        for (int r = r0; r < r1; r += 4) {
            int count = Math.min(4, r1 - r);
            if (count == 4 && t1 - t0 >= 2) {
                fourRowsByPairs(w, x, out, r, t0, t1, panel, partial);
                continue;
            }
            for (int k = 0; k < count; k++) {
                widenRow(w, r + k, row, 0, 0, cols);
                for (int t = t0; t < t1; t++) {
                    out[t * w.rows() + r + k] = F32.dotVector(row, 0, x, t * cols, cols, scratch.lanes);
                }
            }
        }
    }

    /**
     * A thread's buffers for {@link #tile}, kept between calls:
     * allocated per tile they came to 2 MB per call of a 2048 x 2048 F16 matmul at batch 8 (a quarter of the weights'
     * own bytes, in garbage).
     */
    private static final class Scratch {
        final float[] panel = new float[4 * PANEL];
        /** Lanes for the float dot's sum ({@code Vectors.sum(float[], int)}). */
        final float[] lanes = new float[Lanes.L];
        private float[] row = new float[0];
        private float[] partial = new float[0];

        float[] row(int n) {
            return row.length >= n ? row : (row = new float[n]);
        }

        float[] partial(int n) {
            return partial.length >= n ? partial : (partial = new float[n]);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Rows {@code r..r+3} with inputs {@code t0..t1-1}, two at a time: column panels, then the columns after them. An
     * odd last input goes through the same register tile as both inputs of its pair (input stride 0, both outputs
     * written to the same place): half its fma are wasted, but the four rows are not widened a second time, which the
     * single dot needed (`cputime F16 2048 2048 3` ran slower than batch 4 before).
     */
    private static void fourRowsByPairs(Matrix w, float[] x, float[] out, int r, int t0, int t1, float[] panel,
                                        float[] partial) {
        int cols = w.cols();
        int slots = (t1 - t0 + 1) / 2;
        int grouped = cols / (4 * Lanes.L) * (4 * Lanes.L);
        if (grouped == 0) {
            Arrays.fill(partial, 0f);   // no panel starts the accumulators from zero
        }
        for (int p0 = 0; p0 < grouped; p0 += PANEL) {
            int width = Math.min(PANEL, grouped - p0);
            widenPanel(w, r, p0, width, panel);
            for (int q = 0; q < slots; q++) {
                int t = t0 + 2 * q;
                F32.panel4x2(panel, 0, PANEL, width, x, t * cols + p0, t + 1 < t1 ? cols : 0, partial,
                        q * F32.PARTIAL_4X2, p0 == 0);
            }
        }
        widenPanel(w, r, grouped, cols - grouped, panel);
        for (int q = 0; q < slots; q++) {
            int t = t0 + 2 * q;
            boolean pair = t + 1 < t1;
            F32.finish4x2(panel, 0, PANEL, cols - grouped, x, t * cols + grouped, pair ? cols : 0, partial,
                    q * F32.PARTIAL_4X2, out, t * w.rows() + r, pair ? w.rows() : 0);
        }
    }

    /** Columns {@code from..from+width-1} of rows {@code r..r+3} into {@code panel[k * PANEL ..]}, exactly. */
    private static void widenPanel(Matrix w, int r, int from, int width, float[] panel) {
        for (int k = 0; k < 4; k++) {
            widenRow(w, r + k, panel, k * PANEL, from, width);
        }
    }

    /** Columns {@code from..from+n-1} of row {@code r} (F16, BF16 or F32) into {@code dst[dstOff..dstOff+n)}, exactly. */
    private static void widenRow(Matrix w, int r, float[] dst, int dstOff, int from, int n) {
        long off = w.rowOffset(r) + (long) from * w.format().blockBytes();
        switch (w.format()) {
            case F16 -> F16.widenRow(w.data(), off, dst, dstOff, n);
            case BF16 -> BF16.widenRow(w.data(), off, dst, dstOff, n);
            case F32 -> MemorySegment.copy(w.data(), Lanes.FLOAT_LE, off, dst, dstOff, n);
            case Q8_0, Q4_0 -> throw new IllegalArgumentException("rows of " + w.format() + " are not widened per tile");
        }
    }
}
