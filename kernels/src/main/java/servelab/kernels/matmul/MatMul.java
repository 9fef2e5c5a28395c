package servelab.kernels.matmul;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import servelab.kernels.Parallel;

/**
 * {@code out[t][r] = sum_c W[r][c] * x[t][c]} for a batch of input rows, over weights in any {@link WeightFormat}.
 * Inputs and outputs are flat row-major float arrays: {@code x} holds {@code batch} rows of {@code W.cols()},
 * {@code out} holds {@code batch} rows of {@code W.rows()}.
 *
 * <p>Each weight row is read once per call and dotted with every input row while it is in L1, so a batch of
 * {@code B} tokens costs one pass over the weights, which is what makes batched decode cheaper per token.
 */
public final class MatMul {
    /** Rows per chunk below which the vector version stays on one thread (a fork costs a few microseconds). */
    private static final int MIN_WEIGHT_BYTES_PER_CHUNK = 1 << 16;

    private MatMul() {}

    /** Reference: one scalar dot per (input row, weight row), on the calling thread. */
    public static void reference(Matrix w, float[] x, int batch, float[] out) {
        checkShapes(w, x, batch, out);
        for (int r = 0; r < w.rows(); r++) {
            long off = w.rowOffset(r);
            for (int t = 0; t < batch; t++) {
                out[t * w.rows() + r] = dot(w.format(), w.data(), off, x, t * w.cols(), w.cols());
            }
        }
    }

    /**
     * Vector API version of {@link #reference}. Weight rows are split into contiguous ranges over the threads.
     * Quantized rows at batch 1 and 2 go two at a time, from the two halves of a thread's range (each input block
     * loaded once for both rows, the weights read as two sequential streams; at batch 2 each block is also decoded
     * once for both inputs). Otherwise tiles of rows
     * ({@value #ROW_TILE_BYTES} bytes of weights) meet tiles of {@value #INPUT_TILE} input rows, so during a long
     * prefill both stay in L2 instead of the inputs streaming from memory once per weight row; quantized rows then
     * go four inputs at a time (each block decoded once for four; three inputs left over are padded to four, two go
     * two rows at a time, see {@link #groupsOfFour}), F16 and BF16 rows are widened once per tile and, from two
     * inputs, met in register tiles of four rows by two inputs over column panels.
     * Every output gets the same operations in the same order whichever way it is grouped, so results are
     * bit-identical across batch sizes, tilings and thread counts.
     */
    public static void vector(Matrix w, float[] x, int batch, float[] out, Parallel parallel) {
        checkShapes(w, x, batch, out);
        int grain = (int) Math.max(1, MIN_WEIGHT_BYTES_PER_CHUNK / w.rowBytes());
        int rowTile = (int) Math.max(1, ROW_TILE_BYTES / w.rowBytes());
        boolean quantized = w.format() == WeightFormat.Q8_0 || w.format() == WeightFormat.Q4_0;
        int groups = quantized ? groupsOfFour(batch) : 0;
        float[] packed = groups > 0 ? pack4(x, batch, w.cols(), groups) : null;
        parallel.forRange(w.rows(), grain, (from, to) -> {
            if (quantized && groups == 0) {
                pairs(w, x, batch, out, from, to);
                return;
            }
            for (int r0 = from; r0 < to; r0 += rowTile) {
                int r1 = Math.min(to, r0 + rowTile);
                for (int t0 = 0; t0 < batch; t0 += INPUT_TILE) {
                    tile(w, x, packed, 4 * groups, out, r0, r1, t0, Math.min(batch, t0 + INPUT_TILE));
                }
            }
        });
    }

    /**
     * Groups of four inputs the quantized kernels use for a batch: none at batch 1 and 2 (pairs of rows), and from
     * batch 3 one per four inputs, the last padded when three are left over. A leftover input costs a pass over the
     * weights of its own, two leftovers (a two-by-two tile, {@link Q8_0#rows2x2}) about 1.3 passes, and a four-input
     * pass about 1.8 (`cputime`-style calls of a 2048 x 2048 and an 8192 x 2048 Q8_0 matrix on one thread, AMD
     * machine: batch 1, 2, 4 took 0.48, 0.62, 0.90 ms and 1.98, 2.54, 3.47 ms), so three leftovers are padded to a
     * group of four, two go through the two-by-two tile and one stays single.
     */
    static int groupsOfFour(int batch) {
        if (batch < 3) return 0;
        return batch % 4 == 3 ? batch / 4 + 1 : batch / 4;
    }

    /** The calling thread's buffer for {@link #pack4}, kept between calls (a prefill step makes hundreds of them). */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * {@code groups} groups of four inputs of {@code x} ({@code batch} rows of {@code cols}), each group interleaved
     * block by block for the quantized four-input kernels: group {@code g}, block {@code b} of 32 columns and input
     * {@code i} of the group at {@code [g * 4 * cols + b * 128 + i * 32 ..]}; inputs past {@code batch} (a padded last
     * group) are zeros. In the calling thread's buffer, which the next call on this thread overwrites.
     */
    static float[] pack4(float[] x, int batch, int cols, int groups) {
        var packed = PACKED.get();
        if (packed.length < groups * 4 * cols) {
            packed = new float[groups * 4 * cols];
            PACKED.set(packed);
        }
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < 4; i++) {
                int input = 4 * g + i;
                int to = g * 4 * cols + i * 32;
                for (int c = 0; c < cols; c += 32) {
                    if (input < batch) {
                        System.arraycopy(x, input * cols + c, packed, to + 4 * c, 32);
                    } else {
                        Arrays.fill(packed, to + 4 * c, to + 4 * c + 32, 0f);
                    }
                }
            }
        }
        return packed;
    }

    /** Weight rows of a tile's bytes: a few hundred KiB stays in L2 next to an input tile. */
    private static final long ROW_TILE_BYTES = 1 << 17;
    /** Input rows of a tile: 32 rows of 2048 floats are 256 KiB. */
    private static final int INPUT_TILE = 32;

    /**
     * Quantized rows {@code from..to-1} for a batch of 1 or 2: pairs of rows from the two halves of the range (two
     * sequential streams), with one input or, at batch 2, with both in a two-by-two tile.
     */
    private static void pairs(Matrix w, float[] x, int batch, float[] out, int from, int to) {
        var format = w.format();
        var lanes = SCRATCH.get().lanes;
        int half = (to - from) / 2;
        int r = from;
        for (; r < from + half; r++) {
            if (batch == 2) {
                rows2x2(format, w, r, half, x, 0, out, lanes);
                continue;
            }
            rows(format, w, w.rowOffset(r), half * w.rowBytes(), x, 0, out, r, half, lanes);
        }
        for (r = from + 2 * half; r < to; r++) {
            for (int t = 0; t < batch; t++) {
                out[t * w.rows() + r] = dotVector(format, w.data(), w.rowOffset(r), x, t * w.cols(), w.cols(), lanes);
            }
        }
    }

    /**
     * Outputs of weight rows {@code r0..r1-1} for inputs {@code t0..t1-1}: quantized rows one at a time by four
     * inputs (two left over: two rows at a time by two), float rows (F16 and BF16 widened, F32 copied) in register
     * tiles of four rows by two inputs. Rows and inputs left over at the tile's edges go through smaller kernels with
     * the same operations per output.
     */
    private static void tile(Matrix w, float[] x, float[] packed, int packedInputs, float[] out, int r0, int r1, int t0,
                             int t1) {
        var format = w.format();
        switch (format) {
            case Q8_0, Q4_0 -> {
                var scratch = SCRATCH.get();
                var four = scratch.four;
                int rest = t0 + (t1 - t0) / 4 * 4;                        // inputs after the whole groups of four
                boolean padded = rest < t1 && rest + 4 <= packedInputs;   // three left over: a padded group
                boolean pair = !padded && t1 - rest == 2;                 // two: a two-by-two tile, after the rows
                for (int r = r0; r < r1; r++) {
                    long off = w.rowOffset(r);
                    for (int t = t0; t < rest; t += 4) {
                        dots(format, w, off, packed, t, out, r);
                    }
                    if (padded) { // its real outputs only
                        dotsPacked(format, w, off, packed, rest, four);
                        for (int i = 0; rest + i < t1; i++) out[(rest + i) * w.rows() + r] = four[i];
                    } else if (!pair) {
                        for (int t = rest; t < t1; t++) {
                            out[t * w.rows() + r] = dotVector(format, w.data(), off, x, t * w.cols(), w.cols(),
                                    scratch.lanes);
                        }
                    }
                }
                if (pair) {
                    int r = r0;
                    for (; r + 1 < r1; r += 2) {
                        rows2x2(format, w, r, 1, x, rest, out, scratch.lanes);
                    }
                    for (int t = rest; r < r1 && t < t1; t++) {
                        out[t * w.rows() + r] = dotVector(format, w.data(), w.rowOffset(r), x, t * w.cols(), w.cols(),
                                scratch.lanes);
                    }
                }
            }
            case F16, BF16, F32 -> FloatTiles.tile(w, x, out, r0, r1, t0, t1);
        }
    }

    /**
     * A thread's buffers for a padded group's outputs and the lane sums of the quantized kernels, kept between calls
     * (the float tiles keep theirs in {@link FloatTiles}).
     */
    private static final class Scratch {
        final float[] four = new float[4];
        /** Lanes for the sums of the two-row kernels and the two-by-two tiles ({@code Vectors.sum(float[], int)}). */
        final float[] lanes = new float[4 * Lanes.L];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Rows {@code r} and {@code r + apart} (from byte {@code off}, the second {@code distance} bytes further) with
     * input {@code t}. Kept out of line on purpose: inlined into the caller's loop, the kernel's vector operations
     * exceed C2's node budget and fall back to boxed objects (several times slower); behind this dispatch the JIT
     * compiles each kernel on its own.
     */
    private static void rows(WeightFormat format, Matrix w, long off, long distance, float[] x, int t, float[] out, int r,
                             int apart, float[] lanes) {
        switch (format) {
            case Q8_0 -> Q8_0.rowsVector(w.data(), off, distance, x, t * w.cols(), w.cols(), out, t * w.rows() + r, apart, lanes);
            case Q4_0 -> Q4_0.rowsVector(w.data(), off, distance, x, t * w.cols(), w.cols(), out, t * w.rows() + r, apart, lanes);
            case F32, F16, BF16 -> throw new IllegalArgumentException("two-row kernels are for Q8_0 and Q4_0, not " + format);
        }
    }

    /** Rows {@code r} and {@code r + apart} with inputs {@code t} and {@code t + 1}, each block decoded once for both. */
    private static void rows2x2(WeightFormat format, Matrix w, int r, int apart, float[] x, int t, float[] out,
                                float[] lanes) {
        long off = w.rowOffset(r);
        long distance = apart * w.rowBytes();
        int xOff = t * w.cols();
        int outOff = t * w.rows() + r;
        if (format == WeightFormat.Q8_0) {
            Q8_0.rows2x2(w.data(), off, distance, x, xOff, w.cols(), w.cols(), out, outOff, apart, w.rows(), lanes);
        } else {
            Q4_0.rows2x2(w.data(), off, distance, x, xOff, w.cols(), w.cols(), out, outOff, apart, w.rows(), lanes);
        }
    }

    /** Row at byte {@code off} with packed inputs {@code t..t+3}, into {@code four[0..3]}. */
    private static void dotsPacked(WeightFormat format, Matrix w, long off, float[] packed, int t, float[] four) {
        if (format == WeightFormat.Q8_0) {
            Q8_0.dotsPacked(w.data(), off, packed, t * w.cols(), w.cols(), four, 0, 1);
        } else {
            Q4_0.dotsPacked(w.data(), off, packed, t * w.cols(), w.cols(), four, 0, 1);
        }
    }

    /** Row {@code r} (at byte {@code off}) with inputs {@code t..t+3} (packed by {@link #pack4}), each block decoded once for the four. */
    private static void dots(WeightFormat format, Matrix w, long off, float[] packed, int t, float[] out, int r) {
        if (format == WeightFormat.Q8_0) {
            Q8_0.dotsPacked(w.data(), off, packed, t * w.cols(), w.cols(), out, t * w.rows() + r, w.rows());
        } else {
            Q4_0.dotsPacked(w.data(), off, packed, t * w.cols(), w.cols(), out, t * w.rows() + r, w.rows());
        }
    }

    /** Reference dot of {@code n} weights at byte {@code off} with {@code x[xOff..]}. */
    public static float dot(WeightFormat format, MemorySegment w, long off, float[] x, int xOff, int n) {
        return switch (format) {
            case F32 -> F32.dot(w, off, x, xOff, n);
            case F16 -> F16.dot(w, off, x, xOff, n);
            case BF16 -> BF16.dot(w, off, x, xOff, n);
            case Q8_0 -> Q8_0.dot(w, off, x, xOff, n);
            case Q4_0 -> Q4_0.dot(w, off, x, xOff, n);
        };
    }

    /** Vector API dot of {@code n} weights at byte {@code off} with {@code x[xOff..]}. */
    public static float dotVector(WeightFormat format, MemorySegment w, long off, float[] x, int xOff, int n) {
        return dotVector(format, w, off, x, xOff, n, new float[Lanes.L]);
    }

    /** {@link #dotVector(WeightFormat, MemorySegment, long, float[], int, int)}, lanes summed through {@code lanes}. */
    private static float dotVector(WeightFormat format, MemorySegment w, long off, float[] x, int xOff, int n,
                                   float[] lanes) {
        return switch (format) {
            case F32 -> F32.dotVector(w, off, x, xOff, n, lanes);
            case F16 -> F16.dotVector(w, off, x, xOff, n);
            case BF16 -> BF16.dotVector(w, off, x, xOff, n);
            case Q8_0 -> Q8_0.dotVector(w, off, x, xOff, n, lanes);
            case Q4_0 -> Q4_0.dotVector(w, off, x, xOff, n, lanes);
        };
    }

    /** Decodes row {@code r} of {@code w} into {@code dst[dstOff..dstOff+cols)} (an embedding lookup). */
    public static void row(Matrix w, int r, float[] dst, int dstOff) {
        if (r < 0 || r >= w.rows()) {
            throw new IndexOutOfBoundsException("row " + r + " of a matrix with " + w.rows() + " rows");
        }
        dequantize(w.format(), w.data(), w.rowOffset(r), dst, dstOff, w.cols());
    }

    /** Decodes {@code n} weights at byte {@code off} into floats. */
    public static void dequantize(WeightFormat format, MemorySegment w, long off, float[] dst, int dstOff, int n) {
        switch (format) {
            case F32 -> F32.dequantize(w, off, dst, dstOff, n);
            case F16 -> F16.dequantize(w, off, dst, dstOff, n);
            case BF16 -> BF16.dequantize(w, off, dst, dstOff, n);
            case Q8_0 -> Q8_0.dequantize(w, off, dst, dstOff, n);
            case Q4_0 -> Q4_0.dequantize(w, off, dst, dstOff, n);
        }
    }

    /** Encodes {@code n} floats at byte {@code off} of {@code dst} (used to write models and in tests). */
    public static void quantize(WeightFormat format, float[] src, int srcOff, int n, MemorySegment dst, long off) {
        switch (format) {
            case F32 -> F32.quantize(src, srcOff, n, dst, off);
            case F16 -> F16.quantize(src, srcOff, n, dst, off);
            case BF16 -> BF16.quantize(src, srcOff, n, dst, off);
            case Q8_0 -> Q8_0.quantize(src, srcOff, n, dst, off);
            case Q4_0 -> Q4_0.quantize(src, srcOff, n, dst, off);
        }
    }

    /** Encodes a {@code rows x cols} row-major float matrix into a new heap segment. */
    public static Matrix encode(WeightFormat format, float[] values, int rows, int cols) {
        var data = MemorySegment.ofArray(new byte[Math.toIntExact(rows * format.rowBytes(cols))]);
        for (int r = 0; r < rows; r++) {
            quantize(format, values, r * cols, cols, data, r * format.rowBytes(cols));
        }
        return new Matrix(format, data, rows, cols);
    }

    private static void checkShapes(Matrix w, float[] x, int batch, float[] out) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        if (x.length < (long) batch * w.cols()) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, needs " + batch + " x " + w.cols());
        }
        if (out.length < (long) batch * w.rows()) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + batch + " x " + w.rows());
        }
    }
}
