package servelab.kernels.matmul;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import servelab.kernels.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix repacked for the CPU once, sixteen rows to a panel, so that a batch of inputs meets the weights in
 * an outer-product register tile (the shape of BLIS's kernels and of llama.cpp's repacked CPU weights) instead of one
 * dot product at a time: {@link PackedQ8} for Q8_0 and Q4_0 (or {@link PackedQ4}'s nibble panels for Q4_0, about half the
 * memory and slower: {@value #Q4_PROPERTY}{@code =nibbles}), {@link PackedHalves} for F16 and BF16. Inside a panel the weights are column
 * by column, sixteen rows each, so one vector load holds eight rows of a column.
 *
 * <p><b>What every output is.</b> Each lane of a vector is one row, so a row's sum is one chain of fused
 * multiply-adds in column order from zero, whichever kernel runs it ({@link #referenceDot} says which chain): at
 * batch 1 the weights are widened in registers while they stream, two panels at a time, and at batch 2 each widened
 * vector serves both inputs (with AVX-512, up to eight inputs: {@link #fewWide}); from batch 3 (9) a slab of
 * {@value #SLAB} columns of a panel is widened once into floats and met by groups of four inputs in a 4 x 16 tile
 * (eight accumulators; two weight loads and four broadcasts per eight fma). The results are bit-identical across
 * batch sizes, groupings and thread counts, as the engine's exactness needs, but not to {@link MatMul#vector}, which
 * sums each row in lanes of columns.
 *
 * <p>The kernels are written for 256-bit float vectors; see {@link #supported()}. Where the machine has 512-bit ones
 * (AVX-512), batches 1 to 8 run on them ({@link #WIDE}): a column of a panel in one register, half the
 * instructions. The tile stays at 256 bits, where wider tiles measured no faster. kernels/README.md has the
 * measurements.
 */
public abstract sealed class PackedPanels permits PackedQ8, PackedQ4, PackedHalves {
    /** Rows of a panel: two 8-float vectors. */
    static final int ROWS = 16;
    /** Columns of a slab that the batched kernel widens at a time: 16 KiB of floats, in L1 beside the inputs. */
    static final int SLAB = 256;
    /** Inputs of a register tile. */
    static final int GROUP = 4;
    /** The largest batch that the 512-bit kernels stream without the tile: sixteen accumulators, two panels by eight. */
    static final int FEW = 8;

    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Sixteen floats: one column of a panel in one register, for the 512-bit kernels. */
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    /**
     * Whether batches 1 to {@value #FEW} run the 512-bit kernels ({@link #matvecWide}, {@link #matvec2Wide},
     * {@link #fourWide}, {@link #fewWide}): where
     * the machine's preferred float vector has 512 bits (AVX-512), unless {@code -Dservelab.packed.bits=256} asks for
     * the 256-bit ones, to compare. The sums are the same bits either way.
     */
    static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && !"256".equals(System.getProperty("servelab.packed.bits"));
    /**
     * The system property that, set to {@code nibbles}, packs Q4_0 into {@link PackedQ4}'s nibble panels (1.11x the
     * GGUF tensor, against 2.00x for the byte panels), at a cost in speed (kernels/README.md).
     */
    static final String Q4_PROPERTY = "servelab.packed.q4";
    static final boolean Q4_AS_NIBBLES = "nibbles".equals(System.getProperty(Q4_PROPERTY));
    /** Bytes of weights per chunk of a parallel loop below which a fork does not pay. */
    private static final long MIN_BYTES_PER_CHUNK = 1 << 16;

    final Matrix source;
    final MemorySegment data;
    final int panels;

    PackedPanels(Matrix source, MemorySegment data) {
        this.source = source;
        this.data = data;
        this.panels = (source.rows() + ROWS - 1) / ROWS;
    }

    /**
     * Whether this machine runs the packed kernels: they are written for 256-bit float vectors (AVX2, AVX-512), and
     * on a narrower machine the Vector API would emulate them, far slower than {@link MatMul#vector}.
     */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** Whether {@link #pack} takes matrices of {@code format}. */
    public static boolean packs(WeightFormat format) {
        return format != WeightFormat.F32;
    }

    /** Repacks {@code w} (Q8_0, Q4_0, F16 or BF16) into memory of {@code arena}, panels split over {@code parallel}. */
    public static PackedPanels pack(Matrix w, Arena arena, Parallel parallel) {
        return pack(w, arena, parallel, Q4_AS_NIBBLES);
    }

    /** {@link #pack(Matrix, Arena, Parallel)} with Q4_0 in nibble panels or not, whatever {@value #Q4_PROPERTY} says. */
    static PackedPanels pack(Matrix w, Arena arena, Parallel parallel, boolean q4Nibbles) {
        return switch (w.format()) {
            case Q8_0 -> PackedQ8.pack(w, arena, parallel);
            case Q4_0 -> q4Nibbles ? PackedQ4.pack(w, arena, parallel) : PackedQ8.pack(w, arena, parallel);
            case F16, BF16 -> PackedHalves.pack(w, arena, parallel);
            case F32 -> throw new IllegalArgumentException("packed panels are for Q8_0, Q4_0, F16 and BF16 matrices, not "
                    + w.format());
        };
    }

    /** The matrix this was packed from. */
    public Matrix source() {
        return source;
    }

    /** Bytes of the packed copy. */
    public long byteSize() {
        return data.byteSize();
    }

    /** The packed copy, read-only: for benchmarks that run other kernels over the same panels. */
    public MemorySegment data() {
        return data.asReadOnly();
    }

    /**
     * {@code out[t * rows + r] = } {@link #referenceDot}{@code (r, x_t)} for {@code batch} input rows of {@code x}
     * (row-major, {@code cols} each), panels split over {@code parallel}.
     */
    public void matmul(float[] x, int batch, float[] out, Parallel parallel) {
        matmul(x, batch, out, parallel, WIDE);
    }

    /** {@link #matmul(float[], int, float[], Parallel)} with batches 1 to {@value #FEW} on the 512-bit kernels or not. */
    void matmul(float[] x, int batch, float[] out, Parallel parallel, boolean wide) {
        int rows = source.rows();
        int cols = source.cols();
        if (batch < 1 || x.length < batch * cols || out.length < batch * rows) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".matmul: batch " + batch + " of " + rows
                    + "x" + cols + " needs x >= " + (long) batch * cols + " and out >= " + (long) batch * rows
                    + " floats, got " + x.length + " and " + out.length);
        }
        int grain = (int) Math.max(1, MIN_BYTES_PER_CHUNK / (data.byteSize() / panels));
        boolean streams = streamsSmallBatches() && (batch <= 2 || wide && batch <= FEW);
        float[] input = streams ? smallBatchInput(x, batch * cols) : null;
        if (input != null) {
            if (batch == 1) {
                if (wide) {
                    parallel.forRange(panels, grain, (from, to) -> matvecWide(input, out, from, to));
                } else {
                    parallel.forRange(panels, grain, (from, to) -> matvec(input, out, from, to));
                }
            } else if (batch == 2) {
                if (wide) {
                    parallel.forRange(panels, grain, (from, to) -> matvec2Wide(input, out, from, to));
                } else {
                    parallel.forRange(panels, grain, (from, to) -> matvec2(input, out, from, to));
                }
            } else if (batch <= 4) {
                parallel.forRange(panels, grain, (from, to) -> fourWide(input, batch, out, from, to));
            } else {
                parallel.forRange(panels, grain, (from, to) -> fewWide(input, batch, out, from, to));
            }
            return;
        }
        float[] grouped = group(x, batch, cols);
        parallel.forRange(panels, grain, (from, to) -> tiles(grouped, batch, out, from, to));
    }

    /**
     * Whether batches 1 to {@value #FEW} have their own streaming kernels for this matrix; if not, they run through
     * the tile.
     */
    boolean streamsSmallBatches() {
        return true;
    }

    /** Reference for one output: the fma chain in column order that every kernel here computes, bit for bit. */
    public abstract float referenceDot(int r, float[] x, int xOff);

    /**
     * What the streaming kernels of batches 1 to {@value #FEW} take for the input {@code x} ({@code n} floats, the
     * batch's rows): {@code x} itself, unless a format moves a constant factor of its weights into the input
     * ({@link PackedHalves}); {@code null} where it cannot, and the batch then goes through the tile.
     */
    float[] smallBatchInput(float[] x, int n) {
        return x;
    }

    /** Batch 1, panels {@code from..to-1}, into {@code out[row]}; {@code x} as {@link #smallBatchInput} made it. */
    abstract void matvec(float[] x, float[] out, int from, int to);

    /**
     * Batch 2, panels {@code from..to-1}: both inputs per widened weight vector, into {@code out[row]} and
     * {@code out[rows + row]}. Through the tile, two inputs cost a padded group of four: about two decodes.
     */
    abstract void matvec2(float[] x, float[] out, int from, int to);

    /** {@link #matvec} in 512-bit vectors, the same sums bit for bit; unless a format has its own, {@link #matvec}. */
    void matvecWide(float[] x, float[] out, int from, int to) {
        matvec(x, out, from, to);
    }

    /** {@link #matvec2} in 512-bit vectors, the same sums bit for bit; unless a format has its own, {@link #matvec2}. */
    void matvec2Wide(float[] x, float[] out, int from, int to) {
        matvec2(x, out, from, to);
    }

    /**
     * Batches 3 to {@value #FEW} in 512-bit vectors, panels {@code from..to-1}: the weights widened in registers as
     * they stream and met by every input, into {@code out[t * rows + row]}; the same sums as the tile, bit for bit.
     * A format without such a kernel runs these panels through the tile (the inputs grouped in this thread's buffer).
     */
    void fewWide(float[] x, int batch, float[] out, int from, int to) {
        tiles(group(x, batch, source.cols()), batch, out, from, to);
    }

    /** {@link #fewWide} for batches 3 and 4 (four inputs, eight accumulators), so that three inputs do not pay for eight. */
    void fourWide(float[] x, int batch, float[] out, int from, int to) {
        fewWide(x, batch, out, from, to);
    }

    /** Columns {@code k0..k0+width-1} of panel {@code p} as floats, into {@code slab[(k - k0) * 16 + row]}. */
    abstract void widenSlab(int p, int k0, int width, float[] slab);

    /** {@code n} values of {@code lanes} from {@code from} into row {@code row0..} of {@code out}'s row block at {@code outOff}, real rows only. */
    final void store(float[] lanes, int from, int n, float[] out, int outOff, int row0) {
        int real = Math.min(n, source.rows() - row0);
        System.arraycopy(lanes, from, out, outOff + row0, real);
    }

    /**
     * The inputs in groups of {@link #GROUP}, column-interleaved for the tile's broadcasts: input {@code 4g + i},
     * column {@code k} at {@code [(g * cols + k) * 4 + i]}; inputs past {@code batch} are zeros. In the calling
     * thread's buffer (the workers only read it during the call).
     */
    private static float[] group(float[] x, int batch, int cols) {
        int groups = (batch + GROUP - 1) / GROUP;
        var scratch = SCRATCH.get();
        var grouped = scratch.grouped(groups * GROUP * cols);
        for (int g = 0; g < groups; g++) {
            int base = g * cols * GROUP;
            for (int i = 0; i < GROUP; i++) {
                int t = g * GROUP + i;
                if (t < batch) {
                    for (int k = 0, from = t * cols; k < cols; k++) grouped[base + k * GROUP + i] = x[from + k];
                } else {
                    for (int k = 0; k < cols; k++) grouped[base + k * GROUP + i] = 0f;
                }
            }
        }
        return grouped;
    }

    /**
     * Batch of 2 or more, panels {@code from..to-1}, in slabs of {@value #SLAB} columns: for each slab, each panel's
     * part is widened into floats once (and scaled, for Q8_0) and met by every group of inputs, whose accumulators wait between
     * slabs in the thread's buffer (a store and a load are exact) and go to {@code out} after the last slab. Slabs
     * outside, panels inside: the inputs' slab (4 KiB per group) stays in cache for all the panels, where panels
     * outside streamed every input row from memory once per panel (a 128-token prefill of 8192 columns is 4 MiB).
     */
    private void tiles(float[] grouped, int batch, float[] out, int from, int to) {
        int cols = source.cols();
        int rows = source.rows();
        int groups = (batch + GROUP - 1) / GROUP;
        var scratch = SCRATCH.get();
        var slab = scratch.slab;
        int perPanel = groups * GROUP * ROWS;
        var acc = scratch.acc((to - from) * perPanel);
        for (int k0 = 0; k0 < cols; k0 += SLAB) {
            int width = Math.min(SLAB, cols - k0);
            for (int p = from; p < to; p++) {
                widenSlab(p, k0, width, slab);
                int a = (p - from) * perPanel;
                for (int g = 0; g < groups; g++) {
                    tile4x16(slab, width, grouped, (g * cols + k0) * GROUP, acc, a + g * GROUP * ROWS, k0 == 0);
                }
            }
        }
        for (int p = from; p < to; p++) {
            for (int t = 0; t < batch; t++) {
                store(acc, (p - from) * perPanel + t * ROWS, ROWS, out, t * rows, p * ROWS);
            }
        }
    }

    /**
     * Four inputs by sixteen rows over {@code width} columns of a widened slab: per column two weight vectors and
     * four broadcast inputs make eight fma. Eight accumulators, two weights and four broadcasts are fourteen of AVX2's
     * sixteen registers; a tile of twelve accumulators (six by sixteen, four by twenty-four) had C2 load every operand
     * of a step first and keep three accumulators on the stack, and ran at less than half the speed.
     */
    private static void tile4x16(float[] slab, int width, float[] grouped, int xOff, float[] acc, int aOff,
                                 boolean fresh) {
        var zero = FloatVector.zero(F8);
        var c00 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff);
        var c01 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 8);
        var c10 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 16);
        var c11 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 24);
        var c20 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 32);
        var c21 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 40);
        var c30 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 48);
        var c31 = fresh ? zero : FloatVector.fromArray(F8, acc, aOff + 56);
        for (int k = 0; k < width; k++) {
            var w0 = FloatVector.fromArray(F8, slab, k * ROWS);
            var w1 = FloatVector.fromArray(F8, slab, k * ROWS + 8);
            int xi = xOff + k * GROUP;
            var xv = FloatVector.broadcast(F8, grouped[xi]);
            c00 = w0.fma(xv, c00);
            c01 = w1.fma(xv, c01);
            xv = FloatVector.broadcast(F8, grouped[xi + 1]);
            c10 = w0.fma(xv, c10);
            c11 = w1.fma(xv, c11);
            xv = FloatVector.broadcast(F8, grouped[xi + 2]);
            c20 = w0.fma(xv, c20);
            c21 = w1.fma(xv, c21);
            xv = FloatVector.broadcast(F8, grouped[xi + 3]);
            c30 = w0.fma(xv, c30);
            c31 = w1.fma(xv, c31);
        }
        c00.intoArray(acc, aOff);
        c01.intoArray(acc, aOff + 8);
        c10.intoArray(acc, aOff + 16);
        c11.intoArray(acc, aOff + 24);
        c20.intoArray(acc, aOff + 32);
        c21.intoArray(acc, aOff + 40);
        c30.intoArray(acc, aOff + 48);
        c31.intoArray(acc, aOff + 56);
    }

    /** A thread's buffers, kept between calls (a prefill step makes hundreds of them). */
    static final class Scratch {
        final float[] slab = new float[SLAB * ROWS];
        /** Two panels' worth of widened values or accumulators. */
        final float[] lanes = new float[2 * SLAB * ROWS];
        /** Half-precision weights on their way to floats ({@link PackedHalves}). */
        final short[] halves = new short[SLAB * ROWS];
        private float[] acc = new float[0];
        private float[] grouped = new float[0];
        private float[] input = new float[0];

        float[] input(int n) {
            return input.length >= n ? input : (input = new float[n]);
        }

        float[] acc(int n) {
            return acc.length >= n ? acc : (acc = new float[n]);
        }

        float[] grouped(int n) {
            return grouped.length >= n ? grouped : (grouped = new float[n]);
        }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
