package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Parallel;

import jdk.incubator.vector.FloatVector;

/**
 * An F16 matrix in {@link PackedPanels}: per panel, column after column, the sixteen rows' halves of each column
 * (32 bytes; rows past the last are zeros), the same bytes as the GGUF matrix. Every output is
 * {@code acc = fma(w[r][k], x[k], acc)} for every column in order, from zero. The Vector API has no conversion from
 * half precision, so a stretch of a panel is widened first by a plain loop that C2 compiles to {@code vcvtph2ps}
 * ({@link F16#widenRow}), then met by the inputs from L1: at batch 1 in chunks of {@value #CHUNK} columns of two
 * panels, from batch 2 in the tiles' slabs.
 */
public final class PackedF16 extends PackedPanels {
    /** Columns of two panels widened at a time at batch 1: 8 KiB of floats. */
    static final int CHUNK = 64;

    private PackedF16(Matrix source, MemorySegment data) {
        super(source, data);
    }

    /** Repacks {@code f16} (an {@link WeightFormat#F16} matrix) into memory of {@code arena}, panels split over {@code parallel}. */
    public static PackedF16 pack(Matrix f16, Arena arena, Parallel parallel) {
        if (f16.format() != WeightFormat.F16) {
            throw new IllegalArgumentException("PackedF16 packs F16 matrices, not " + f16.format());
        }
        int cols = f16.cols();
        int panels = (f16.rows() + ROWS - 1) / ROWS;
        var data = arena.allocate((long) panels * cols * ROWS * 2, 64);
        var packed = new PackedF16(f16, data);
        parallel.forRange(panels, 1, (from, to) -> {
            var row = new short[cols];
            var panel = new short[cols * ROWS];
            for (int p = from; p < to; p++) {
                java.util.Arrays.fill(panel, (short) 0);
                for (int i = 0; i < ROWS && p * ROWS + i < f16.rows(); i++) {
                    MemorySegment.copy(f16.data(), SHORT_LE, f16.rowOffset(p * ROWS + i), row, 0, cols);
                    for (int k = 0; k < cols; k++) panel[k * ROWS + i] = row[k];
                }
                MemorySegment.copy(panel, 0, data, SHORT_LE, packed.offset(p, 0), panel.length);
            }
        });
        return packed;
    }

    /** {@code acc = fma(w[r][k], x[k], acc)} for every column in order, from zero. */
    @Override
    public float referenceDot(int r, float[] x, int xOff) {
        float acc = 0f;
        long src = source.rowOffset(r);
        for (int k = 0; k < source.cols(); k++) {
            acc = Math.fma(Float.float16ToFloat(source.data().get(SHORT_LE, src + 2L * k)), x[xOff + k], acc);
        }
        return acc;
    }

    private long offset(int panel, int column) {
        return ((long) panel * source.cols() + column) * ROWS * 2;
    }

    /**
     * Two panels at a time (four fma chains), a last odd panel with the second's chains on zeros: each stretch of
     * {@value #CHUNK} columns of both is widened into the thread's buffer, then dotted column by column.
     */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        var scratch = SCRATCH.get();
        var lanes = scratch.lanes;
        var halves = scratch.halves;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F8);
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            for (int k0 = 0; k0 < cols; k0 += CHUNK) {
                int width = Math.min(CHUNK, cols - k0);
                widenChunk(p, pair, k0, width, halves, lanes);
                for (int k = 0; k < width; k++) {
                    var xv = FloatVector.broadcast(F8, x[k0 + k]);
                    a0 = FloatVector.fromArray(F8, lanes, k * ROWS).fma(xv, a0);
                    a1 = FloatVector.fromArray(F8, lanes, k * ROWS + 8).fma(xv, a1);
                    b0 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS).fma(xv, b0);
                    b1 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS + 8).fma(xv, b1);
                }
            }
            var sums = scratch.slab;
            a0.intoArray(sums, 0);
            a1.intoArray(sums, 8);
            b0.intoArray(sums, 16);
            b1.intoArray(sums, 24);
            store(sums, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
        }
    }

    /** As {@link #matvec}, each widened vector used for both inputs: eight chains for two panels. */
    @Override
    void matvec2(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        int rows = source.rows();
        var scratch = SCRATCH.get();
        var lanes = scratch.lanes;
        var halves = scratch.halves;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F8); // panel p (a) and p + 1 (b), input 0; then input 1 (c, e)
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            var c0 = a0;
            var c1 = a0;
            var e0 = a0;
            var e1 = a0;
            for (int k0 = 0; k0 < cols; k0 += CHUNK) {
                int width = Math.min(CHUNK, cols - k0);
                widenChunk(p, pair, k0, width, halves, lanes);
                for (int k = 0; k < width; k++) {
                    var wa0 = FloatVector.fromArray(F8, lanes, k * ROWS);
                    var wa1 = FloatVector.fromArray(F8, lanes, k * ROWS + 8);
                    var wb0 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS);
                    var wb1 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS + 8);
                    var xv = FloatVector.broadcast(F8, x[k0 + k]);
                    a0 = wa0.fma(xv, a0);
                    a1 = wa1.fma(xv, a1);
                    b0 = wb0.fma(xv, b0);
                    b1 = wb1.fma(xv, b1);
                    xv = FloatVector.broadcast(F8, x[cols + k0 + k]);
                    c0 = wa0.fma(xv, c0);
                    c1 = wa1.fma(xv, c1);
                    e0 = wb0.fma(xv, e0);
                    e1 = wb1.fma(xv, e1);
                }
            }
            var sums = scratch.slab;
            a0.intoArray(sums, 0);
            a1.intoArray(sums, 8);
            b0.intoArray(sums, 16);
            b1.intoArray(sums, 24);
            c0.intoArray(sums, 32);
            c1.intoArray(sums, 40);
            e0.intoArray(sums, 48);
            e1.intoArray(sums, 56);
            store(sums, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
            store(sums, 2 * ROWS, pair ? 2 * ROWS : ROWS, out, rows, p * ROWS);
        }
    }

    @Override
    void widenSlab(int p, int k0, int width, float[] slab) {
        widen(offset(p, k0), width * ROWS, SCRATCH.get().halves, slab, 0);
    }

    /** Columns {@code k0..k0+width-1} of panel {@code p} into {@code lanes[0..]}, and of panel {@code p + 1} (if {@code pair}) from {@code lanes[CHUNK * 16]}. */
    private void widenChunk(int p, boolean pair, int k0, int width, short[] halves, float[] lanes) {
        widen(offset(p, k0), width * ROWS, halves, lanes, 0);
        if (pair) {
            widen(offset(p + 1, k0), width * ROWS, halves, lanes, CHUNK * ROWS);
        }
    }

    /**
     * {@code n} halves from byte {@code off} of the packed data into {@code dst[dstOff..]}, exactly, through
     * {@code halves}: copied to a {@code short[]} first, then widened array to array, a loop C2 compiles to
     * {@code vcvtph2ps}. Widened straight from the segment ({@link F16#widenRow}) inlined into the batch-1 kernel, the
     * loop ran at a fifth of its speed there (5 against 14 GB of weights per CPU-second with the same loop kept out of
     * line, {@code -XX:CompileCommand=dontinline}).
     */
    private void widen(long off, int n, short[] halves, float[] dst, int dstOff) {
        MemorySegment.copy(data, SHORT_LE, off, halves, 0, n);
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = Float.float16ToFloat(halves[j]);
        }
    }
}
