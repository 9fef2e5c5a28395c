package servelab.kernels.bench;

import servelab.kernels.Parallel;
import servelab.kernels.matmul.BF16;
import servelab.kernels.matmul.F16;
import servelab.kernels.matmul.F32;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

/**
 * The batched {@code MatMul.vector} as it was before register tiling (commit 7d314a5), kept only so that benchmarks
 * can run it beside the current kernel in one JVM: F16/BF16 rows widened once per tile and then one
 * {@link F32#dotVector(float[], float[], int, int)} per input. Both give the same bits for every output. Quantized
 * weights go to the current {@code MatMul.vector} (to run an older quantized kernel, put its classes first on the
 * class path, as {@code MatMulCpuTime} says).
 */
final class PreviousMatMul {
    /** Rows per chunk below which the vector version stays on one thread (a fork costs a few microseconds). */
    private static final int MIN_WEIGHT_BYTES_PER_CHUNK = 1 << 16;

    private PreviousMatMul() {}

    static void vector(Matrix w, float[] x, int batch, float[] out, Parallel parallel) {
        int grain = (int) Math.max(1, MIN_WEIGHT_BYTES_PER_CHUNK / w.rowBytes());
        int rowTile = (int) Math.max(1, ROW_TILE_BYTES / w.rowBytes());
        if (w.format() == WeightFormat.Q8_0 || w.format() == WeightFormat.Q4_0) {
            MatMul.vector(w, x, batch, out, parallel);
            return;
        }
        parallel.forRange(w.rows(), grain, (from, to) -> {
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

    /** Outputs of weight rows {@code r0..r1-1} for inputs {@code t0..t1-1}. */
    private static void tile(Matrix w, float[] x, float[] out, int r0, int r1, int t0, int t1) {
        var format = w.format();
        switch (format) {
            case F16, BF16 -> {
                // each row widened once into floats, then dotted with every input of the tile (at batch 1 too, so
                // that a row's result does not depend on the batch)
                var row = new float[w.cols()];
                for (int r = r0; r < r1; r++) {
                    if (format == WeightFormat.F16) {
                        F16.widenRow(w.data(), w.rowOffset(r), row, w.cols());
                    } else {
                        BF16.widenRow(w.data(), w.rowOffset(r), row, w.cols());
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
}
