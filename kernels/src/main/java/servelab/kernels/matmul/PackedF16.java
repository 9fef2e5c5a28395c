package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import servelab.kernels.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * An F16 matrix in {@link PackedPanels}: per panel, column after column, the sixteen rows' halves of each column
 * (32 bytes; rows past the last are zeros), the same bytes as the GGUF matrix. Every output is
 * {@code acc = fma(w[r][k], x[k], acc)} for every column in order, from zero. The Vector API has no conversion from
 * half precision, so a stretch of a panel is widened first by a plain loop that C2 compiles to {@code vcvtph2ps}
 * ({@link F16#widenRow}), then met by the inputs from L1: at batches 1 and 2 in chunks of {@value #CHUNK} columns
 * of two panels (the next chunk's halves loaded while one is dotted), from batch 3 in the tiles' slabs.
 */
public final class PackedF16 extends PackedPanels {
    /** Columns of two panels widened at a time at batch 1: 8 KiB of floats. */
    static final int CHUNK = 64;
    /** One column of a panel: sixteen halves. */
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

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
     * Two panels at a time (four fma chains), a last odd panel with the second's chains on zeros. The halves of
     * each stretch of {@value #CHUNK} columns of both are widened from the thread's buffer into floats, then dotted
     * column by column; while a stretch is dotted, the next one's halves are loaded into the other buffer, a
     * column per step. So the loads from memory go on while the fma run, where copying a stretch and then working
     * on it left the memory stream idle during the work.
     */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        var scratch = SCRATCH.get();
        var lanes = scratch.lanes;
        var halves = scratch.halves;
        var ahead = scratch.ahead;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F8);
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            copyChunk(p, pair, 0, Math.min(CHUNK, cols), halves);
            for (int k0 = 0; k0 < cols; k0 += CHUNK) {
                int width = Math.min(CHUNK, cols - k0);
                widenChunk(pair, width, halves, lanes);
                int next = Math.max(0, Math.min(CHUNK, cols - k0 - CHUNK));
                long offA = offset(p, k0 + CHUNK);
                long offB = pair ? offset(p + 1, k0 + CHUNK) : offA;
                for (int k = 0; k < width; k++) {
                    if (k < next) {
                        ShortVector.fromMemorySegment(S16, data, offA + 32L * k, LE).intoArray(ahead, k * ROWS);
                        ShortVector.fromMemorySegment(S16, data, offB + 32L * k, LE)
                                .intoArray(ahead, CHUNK * ROWS + k * ROWS);
                    }
                    var xv = FloatVector.broadcast(F8, x[k0 + k]);
                    a0 = FloatVector.fromArray(F8, lanes, k * ROWS).fma(xv, a0);
                    a1 = FloatVector.fromArray(F8, lanes, k * ROWS + 8).fma(xv, a1);
                    b0 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS).fma(xv, b0);
                    b1 = FloatVector.fromArray(F8, lanes, CHUNK * ROWS + k * ROWS + 8).fma(xv, b1);
                }
                var t = halves;
                halves = ahead;
                ahead = t;
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
        var ahead = scratch.ahead;
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
            copyChunk(p, pair, 0, Math.min(CHUNK, cols), halves);
            for (int k0 = 0; k0 < cols; k0 += CHUNK) {
                int width = Math.min(CHUNK, cols - k0);
                widenChunk(pair, width, halves, lanes);
                int next = Math.max(0, Math.min(CHUNK, cols - k0 - CHUNK));
                long offA = offset(p, k0 + CHUNK);
                long offB = pair ? offset(p + 1, k0 + CHUNK) : offA;
                for (int k = 0; k < width; k++) {
                    if (k < next) {
                        ShortVector.fromMemorySegment(S16, data, offA + 32L * k, LE).intoArray(ahead, k * ROWS);
                        ShortVector.fromMemorySegment(S16, data, offB + 32L * k, LE)
                                .intoArray(ahead, CHUNK * ROWS + k * ROWS);
                    }
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
                var t = halves;
                halves = ahead;
                ahead = t;
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
        var halves = SCRATCH.get().halves;
        MemorySegment.copy(data, SHORT_LE, offset(p, k0), halves, 0, width * ROWS);
        widen(halves, 0, width * ROWS, slab);
    }

    /** The halves of columns {@code k0..k0+width-1} of panel {@code p} (and {@code p + 1} if {@code pair}, from {@code halves[CHUNK * 16]}). */
    private void copyChunk(int p, boolean pair, int k0, int width, short[] halves) {
        MemorySegment.copy(data, SHORT_LE, offset(p, k0), halves, 0, width * ROWS);
        if (pair) MemorySegment.copy(data, SHORT_LE, offset(p + 1, k0), halves, CHUNK * ROWS, width * ROWS);
    }

    /** {@link #copyChunk}'s halves as floats, at the same places in {@code lanes}. */
    private static void widenChunk(boolean pair, int width, short[] halves, float[] lanes) {
        widen(halves, 0, width * ROWS, lanes);
        if (pair) widen(halves, CHUNK * ROWS, width * ROWS, lanes);
    }

    /**
     * {@code halves[from..from+n-1]} as floats into {@code dst[from..]}, exactly: array to array, a loop C2 compiles
     * to {@code vcvtph2ps}. Widened straight from the segment ({@link F16#widenRow}) inlined into the batch-1 kernel,
     * the loop ran at a fifth of its speed there (5 against 14 GB of weights per CPU-second with the same loop kept
     * out of line, {@code -XX:CompileCommand=dontinline}).
     */
    private static void widen(short[] halves, int from, int n, float[] dst) {
        for (int j = from; j < from + n; j++) {
            dst[j] = Float.float16ToFloat(halves[j]);
        }
    }
}
