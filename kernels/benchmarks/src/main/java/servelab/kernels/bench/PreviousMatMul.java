package servelab.kernels.bench;

import servelab.kernels.Parallel;
import servelab.kernels.matmul.BF16;
import servelab.kernels.matmul.F16;
import servelab.kernels.matmul.F32;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.Q4_0;
import servelab.kernels.matmul.Q8_0;
import servelab.kernels.matmul.WeightFormat;

/**
 * The batched {@code MatMul.vector} as it was before register tiling (commit 7d314a5), kept only so that benchmarks
 * can run it beside the current kernel in one JVM: quantized rows one at a time by four inputs, F16/BF16 rows
 * widened once per tile and then one {@link F32#dotVector(float[], float[], int, int)} per input. Both give the
 * same bits for every output.
 */
final class PreviousMatMul {
    /** Rows per chunk below which the vector version stays on one thread (a fork costs a few microseconds). */
    private static final int MIN_WEIGHT_BYTES_PER_CHUNK = 1 << 16;

    private PreviousMatMul() {}

    static void vector(Matrix w, float[] x, int batch, float[] out, Parallel parallel) {
        int grain = (int) Math.max(1, MIN_WEIGHT_BYTES_PER_CHUNK / w.rowBytes());
        int rowTile = (int) Math.max(1, ROW_TILE_BYTES / w.rowBytes());
        boolean quantized = w.format() == WeightFormat.Q8_0 || w.format() == WeightFormat.Q4_0;
        parallel.forRange(w.rows(), grain, (from, to) -> {
            if (quantized && batch < 4) {
                pairs(w, x, batch, out, from, to);
                return;
            }
            for (int r0 = from; r0 < to; r0 += rowTile) {
                int r1 = Math.min(to, r0 + rowTile);
                for (int t0 = 0; t0 < batch; t0 += INPUT_TILE) {
                    tile(w, x, out, r0, r1, t0, Math.min(batch, t0 + INPUT_TILE));
                }
            }
        });
    }

    /** Weight rows of a tile's bytes: a few hundred KiB stays in L2 next to an input tile. */
    private static final long ROW_TILE_BYTES = 1 << 17;
    /** Input rows of a tile: 32 rows of 2048 floats are 256 KiB. */
    private static final int INPUT_TILE = 32;

    /** Quantized rows {@code from..to-1} for a batch of 1 to 3: pairs of rows from the two halves of the range. */
    private static void pairs(Matrix w, float[] x, int batch, float[] out, int from, int to) {
        var format = w.format();
        int half = (to - from) / 2;
        int r = from;
        for (; r < from + half; r++) {
            for (int t = 0; t < batch; t++) {
                rows(format, w, w.rowOffset(r), half * w.rowBytes(), x, t, out, r, half);
            }
        }
        for (r = from + 2 * half; r < to; r++) {
            for (int t = 0; t < batch; t++) {
                out[t * w.rows() + r] = MatMul.dotVector(format, w.data(), w.rowOffset(r), x, t * w.cols(), w.cols());
            }
        }
    }

    /** Outputs of weight rows {@code r0..r1-1} for inputs {@code t0..t1-1}. */
    private static void tile(Matrix w, float[] x, float[] out, int r0, int r1, int t0, int t1) {
        var format = w.format();
        switch (format) {
            case Q8_0, Q4_0 -> {
                for (int r = r0; r < r1; r++) {
                    long off = w.rowOffset(r);
                    int t = t0;
                    for (; t + 4 <= t1; t += 4) {
                        dots(format, w, off, x, t, out, r);
                    }
                    for (; t < t1; t++) {
                        out[t * w.rows() + r] = MatMul.dotVector(format, w.data(), off, x, t * w.cols(), w.cols());
                    }
                }
            }
            case F16, BF16 -> {
                // each row widened once into floats, then dotted with every input of the tile (at batch 1 too, so
                // that a row's result does not depend on the batch)
                var halves = new short[w.cols()];
                var row = new float[w.cols()];
                for (int r = r0; r < r1; r++) {
                    if (format == WeightFormat.F16) {
                        F16.widenRow(w.data(), w.rowOffset(r), halves, row, w.cols());
                    } else {
                        BF16.widenRow(w.data(), w.rowOffset(r), halves, row, w.cols());
                    }
                    for (int t = t0; t < t1; t++) {
                        out[t * w.rows() + r] = F32.dotVector(row, x, t * w.cols(), w.cols());
                    }
                }
            }
            case F32 -> {
                for (int r = r0; r < r1; r++) {
                    for (int t = t0; t < t1; t++) {
                        out[t * w.rows() + r] = F32.dotVector(w.data(), w.rowOffset(r), x, t * w.cols(), w.cols());
                    }
                }
            }
        }
    }

    /**
     * Rows {@code r} and {@code r + apart} (from byte {@code off}, the second {@code distance} bytes further) with
     * input {@code t}. Kept out of line on purpose: inlined into the caller's loop, the kernel's vector operations
     * exceed C2's node budget and fall back to boxed objects (several times slower); behind this dispatch the JIT
     * compiles each kernel on its own.
     */
    private static void rows(WeightFormat format, Matrix w, long off, long distance, float[] x, int t, float[] out, int r,
                             int apart) {
        switch (format) {
            case Q8_0 -> Q8_0.rowsVector(w.data(), off, distance, x, t * w.cols(), w.cols(), out, t * w.rows() + r, apart);
            case Q4_0 -> Q4_0.rowsVector(w.data(), off, distance, x, t * w.cols(), w.cols(), out, t * w.rows() + r, apart);
            case F32, F16, BF16 -> throw new IllegalArgumentException("two-row kernels are for Q8_0 and Q4_0, not " + format);
        }
    }

    /** Row {@code r} (at byte {@code off}) with inputs {@code t..t+3}, each block decoded once for the four. */
    private static void dots(WeightFormat format, Matrix w, long off, float[] x, int t, float[] out, int r) {
        if (format == WeightFormat.Q8_0) {
            Q8_0.dotsVector(w.data(), off, x, t * w.cols(), w.cols(), w.cols(), out, t * w.rows() + r, w.rows());
        } else {
            Q4_0.dotsVector(w.data(), off, x, t * w.cols(), w.cols(), w.cols(), out, t * w.rows() + r, w.rows());
        }
    }

}
