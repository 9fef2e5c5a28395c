package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.FLOAT_LE;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Parallel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q8_0 matrix repacked for the CPU once, sixteen rows to a panel, so that a batch of inputs meets the weights in
 * an outer-product register tile (the shape of BLIS's and llama.cpp's repacked kernels) instead of one dot product
 * at a time. Per panel and block of 32 columns:
 * <pre>
 *   float d[16];          // the sixteen rows' scales, widened from f16 (64 bytes)
 *   int8  q[32][16];      // column j of the block, then row i of the panel (512 bytes)
 * </pre>
 * 576 bytes per 512 weights (GGUF's Q8_0 has 544). Rows past the last (a panel of fewer than 16) are zeros.
 *
 * <p><b>What every output is.</b> {@code out[t][r]} is the sum, in column order from zero, of one fused multiply-add
 * per column: {@code acc = fma(q[r][k] * d[r][k / 32], x[t][k], acc)} ({@link #referenceDot}). Each lane of a
 * vector is one row, so a row's sum is one chain of fma whichever kernel runs it: at batch 1 the weights are widened
 * and scaled in registers while they stream; from batch 2 a slab of a panel is widened and scaled once into floats
 * and met by groups of four inputs in a 4 x 16 tile (eight accumulators: two weight loads and four broadcasts per
 * eight fma). The results are bit-identical across batch sizes, groupings and thread counts, as the engine's
 * exactness needs, but not to {@link MatMul#vector}, which sums each row in lanes of columns.
 *
 * <p>Measured on an AMD EPYC (Zen 3, AVX2), one thread, Q8_0 2048 x 2048 in cache against {@link MatMul#vector}:
 * batch 1 about 1.1x, batch 8 1.6x, batch 32 2x, and 2.2x at batch 128 (8192 x 2048); kernels/README.md has the
 * figures and the command. The register tile needs 256-bit vectors; see {@link #supported()}.
 */
public final class PackedQ8 {
    /** Rows of a panel: two 8-float vectors. */
    static final int ROWS = 16;
    /** Bytes of one panel's block of 32 columns: sixteen float scales and 512 weights. */
    static final long PANEL_BLOCK_BYTES = 64 + 32 * ROWS;
    /** Columns of a slab that the batched kernel widens at a time: 16 KiB of floats, in L1 beside the inputs. */
    static final int SLAB = 256;
    /** Inputs of a register tile. */
    static final int GROUP = 4;

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    /** Panels per chunk of a parallel loop below which a fork does not pay (64 KiB of weights). */
    private static final long MIN_BYTES_PER_CHUNK = 1 << 16;

    private final Matrix source;
    private final MemorySegment data;
    private final int panels;
    private final int blocks;

    private PackedQ8(Matrix source, MemorySegment data) {
        this.source = source;
        this.data = data;
        this.panels = (source.rows() + ROWS - 1) / ROWS;
        this.blocks = source.cols() / 32;
    }

    /**
     * Whether this machine runs the packed kernels: they are written for 256-bit float vectors (AVX2, AVX-512), and
     * on a narrower machine the Vector API would emulate them, far slower than {@link MatMul#vector}.
     */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** Repacks {@code q8} (a {@link WeightFormat#Q8_0} matrix) into memory of {@code arena}, panels split over {@code parallel}. */
    public static PackedQ8 pack(Matrix q8, Arena arena, Parallel parallel) {
        if (q8.format() != WeightFormat.Q8_0) {
            throw new IllegalArgumentException("PackedQ8 packs Q8_0 matrices, not " + q8.format());
        }
        int panels = (q8.rows() + ROWS - 1) / ROWS;
        int blocks = q8.cols() / 32;
        var data = arena.allocate(panels * blocks * PANEL_BLOCK_BYTES, 64);
        var packed = new PackedQ8(q8, data);
        parallel.forRange(panels, packed.grain(), (from, to) -> {
            var block = new byte[32 * ROWS];
            for (int p = from; p < to; p++) {
                for (int b = 0; b < blocks; b++) {
                    long at = packed.offset(p, b);
                    java.util.Arrays.fill(block, (byte) 0);
                    for (int i = 0; i < ROWS && p * ROWS + i < q8.rows(); i++) {
                        long src = q8.rowOffset(p * ROWS + i) + (long) b * Q8_0.BYTES;
                        data.set(FLOAT_LE, at + 4L * i, Float.float16ToFloat(q8.data().get(SHORT_LE, src)));
                        for (int j = 0; j < 32; j++) {
                            block[j * ROWS + i] = q8.data().get(ValueLayout.JAVA_BYTE, src + 2 + j);
                        }
                    }
                    MemorySegment.copy(block, 0, data, ValueLayout.JAVA_BYTE, at + 64, block.length);
                }
            }
        });
        return packed;
    }

    /** The matrix this was packed from. */
    public Matrix source() {
        return source;
    }

    /** Bytes of the packed copy. */
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * {@code out[t * rows + r] = } {@link #referenceDot}{@code (r, x_t)} for {@code batch} input rows of {@code x}
     * (row-major, {@code cols} each), panels split over {@code parallel}.
     */
    public void matmul(float[] x, int batch, float[] out, Parallel parallel) {
        int rows = source.rows();
        int cols = source.cols();
        if (batch < 1 || x.length < batch * cols || out.length < batch * rows) {
            throw new IllegalArgumentException("PackedQ8.matmul: batch " + batch + " of " + rows + "x" + cols
                    + " needs x >= " + (long) batch * cols + " and out >= " + (long) batch * rows + " floats, got "
                    + x.length + " and " + out.length);
        }
        if (batch == 1) {
            parallel.forRange(panels, grain(), (from, to) -> matvec(x, out, from, to));
            return;
        }
        float[] grouped = group(x, batch, cols);
        parallel.forRange(panels, grain(), (from, to) -> tiles(grouped, batch, out, from, to));
    }

    /** Reference for one output: the fma chain in column order that every kernel here computes, bit for bit. */
    public float referenceDot(int r, float[] x, int xOff) {
        float acc = 0f;
        long src = source.rowOffset(r);
        for (int b = 0; b < blocks; b++, src += Q8_0.BYTES) {
            float d = Float.float16ToFloat(source.data().get(SHORT_LE, src));
            for (int j = 0; j < 32; j++) {
                acc = Math.fma(source.data().get(ValueLayout.JAVA_BYTE, src + 2 + j) * d, x[xOff + b * 32 + j], acc);
            }
        }
        return acc;
    }

    private int grain() {
        return (int) Math.max(1, MIN_BYTES_PER_CHUNK / (blocks * PANEL_BLOCK_BYTES));
    }

    private long offset(int panel, int block) {
        return ((long) panel * blocks + block) * PANEL_BLOCK_BYTES;
    }

    /**
     * Batch 1, panels {@code from..to-1}: two panels at a time, so that four fma chains (two per panel) hide the fma
     * latency; a last odd panel alone.
     */
    private void matvec(float[] x, float[] out, int from, int to) {
        int p = from;
        for (; p + 1 < to; p += 2) {
            var a0 = FloatVector.zero(F8);
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            long oa = offset(p, 0);
            long ob = offset(p + 1, 0);
            for (int b = 0; b < blocks; b++, oa += PANEL_BLOCK_BYTES, ob += PANEL_BLOCK_BYTES) {
                var da0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var da1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                var db0 = FloatVector.fromMemorySegment(F8, data, ob, LE);
                var db1 = FloatVector.fromMemorySegment(F8, data, ob + 32, LE);
                int xb = b * 32;
                for (int j = 0; j < 32; j++) {
                    var xv = FloatVector.broadcast(F8, x[xb + j]);
                    long q = 64 + j * ROWS;
                    a0 = widen(oa + q).mul(da0).fma(xv, a0);
                    a1 = widen(oa + q + 8).mul(da1).fma(xv, a1);
                    b0 = widen(ob + q).mul(db0).fma(xv, b0);
                    b1 = widen(ob + q + 8).mul(db1).fma(xv, b1);
                }
            }
            var lanes = SCRATCH.get().lanes;
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            b0.intoArray(lanes, 16);
            b1.intoArray(lanes, 24);
            store(lanes, 0, 2 * ROWS, out, 0, p * ROWS);
        }
        if (p < to) {
            var a0 = FloatVector.zero(F8);
            var a1 = a0;
            long oa = offset(p, 0);
            for (int b = 0; b < blocks; b++, oa += PANEL_BLOCK_BYTES) {
                var da0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var da1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                int xb = b * 32;
                for (int j = 0; j < 32; j++) {
                    var xv = FloatVector.broadcast(F8, x[xb + j]);
                    a0 = widen(oa + 64 + j * ROWS).mul(da0).fma(xv, a0);
                    a1 = widen(oa + 72 + j * ROWS).mul(da1).fma(xv, a1);
                }
            }
            var lanes = SCRATCH.get().lanes;
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
        }
    }

    /** {@code n} values of {@code lanes} from {@code from} into row {@code row0..} of {@code out}'s row block at {@code outOff}, real rows only. */
    private void store(float[] lanes, int from, int n, float[] out, int outOff, int row0) {
        int real = Math.min(n, source.rows() - row0);
        System.arraycopy(lanes, from, out, outOff + row0, real);
    }

    /** The eight weights at byte {@code at} of the packed data, as floats (exact). */
    private FloatVector widen(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, data, at, LE).convertShape(VectorOperators.B2F, F8, 0);
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
     * part is widened and scaled into floats once and met by every group of inputs, whose accumulators wait between
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
                widenSlab(p, k0 / 32, width / 32, slab);
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

    /** Blocks {@code block0..block0+count-1} of panel {@code p}, each weight times its row's scale, into {@code slab[(column * 16 + row)]}. */
    private void widenSlab(int p, int block0, int count, float[] slab) {
        long o = offset(p, block0);
        for (int b = 0; b < count; b++, o += PANEL_BLOCK_BYTES) {
            var d0 = FloatVector.fromMemorySegment(F8, data, o, LE);
            var d1 = FloatVector.fromMemorySegment(F8, data, o + 32, LE);
            int s = b * 32 * ROWS;
            for (int j = 0; j < 32; j++) {
                widen(o + 64 + j * ROWS).mul(d0).intoArray(slab, s + j * ROWS);
                widen(o + 72 + j * ROWS).mul(d1).intoArray(slab, s + j * ROWS + 8);
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
    private static final class Scratch {
        final float[] slab = new float[SLAB * ROWS];
        final float[] lanes = new float[2 * ROWS];
        private float[] acc = new float[0];
        private float[] grouped = new float[0];

        float[] acc(int n) {
            return acc.length >= n ? acc : (acc = new float[n]);
        }

        float[] grouped(int n) {
            return grouped.length >= n ? grouped : (grouped = new float[n]);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
