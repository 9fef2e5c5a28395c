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
 * A Q8_0 or Q4_0 matrix in {@link PackedPanels}. Per panel and block of 32 columns:
 * <pre>
 *   float d[16];          // the sixteen rows' scales, widened from f16 (64 bytes)
 *   int8  q[32][16];      // column j of the block, then row i of the panel (512 bytes)
 * </pre>
 * 576 bytes per 512 weights (GGUF's Q8_0 has 544). Rows past the last (a panel of fewer than 16) are zeros. Every
 * weight is scaled before its fma, {@code acc = fma(q * d, x, acc)}: scaling each block's sum once instead (one
 * operation fewer per weight) made batch 1 1.0-1.2x faster but the tile 10-20% slower, since its block sums must be
 * folded into the running sums every 32 columns.
 *
 * <p>A Q4_0 matrix is packed the same way, each nibble less 8 as a byte: no value changes (a Q4_0 weight is
 * {@code d * (nibble - 8)}, the same form), and every kernel here serves it, but its copy is twice the size
 * of its GGUF tensor (576 bytes per 512 weights against 288).
 */
public final class PackedQ8 extends PackedPanels {
    /** Bytes of one panel's block of 32 columns: sixteen float scales and 512 weights. */
    static final long PANEL_BLOCK_BYTES = 64 + 32 * ROWS;

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    final int blocks;

    private PackedQ8(Matrix source, MemorySegment data) {
        super(source, data);
        this.blocks = source.cols() / 32;
    }

    /**
     * Repacks {@code q8} (a {@link WeightFormat#Q8_0} or {@link WeightFormat#Q4_0} matrix) into memory of
     * {@code arena}, panels split over {@code parallel}.
     */
    public static PackedQ8 pack(Matrix q8, Arena arena, Parallel parallel) {
        if (q8.format() != WeightFormat.Q8_0 && q8.format() != WeightFormat.Q4_0) {
            throw new IllegalArgumentException("PackedQ8 packs Q8_0 and Q4_0 matrices, not " + q8.format());
        }
        int panels = (q8.rows() + ROWS - 1) / ROWS;
        int blocks = q8.cols() / 32;
        var data = arena.allocate(panels * blocks * PANEL_BLOCK_BYTES, 64);
        var packed = new PackedQ8(q8, data);
        parallel.forRange(panels, 1, (from, to) -> {
            var block = new byte[32 * ROWS];
            for (int p = from; p < to; p++) {
                for (int b = 0; b < blocks; b++) {
                    long at = packed.offset(p, b);
                    java.util.Arrays.fill(block, (byte) 0);
                    for (int i = 0; i < ROWS && p * ROWS + i < q8.rows(); i++) {
                        long src = packed.blockOffset(p * ROWS + i, b);
                        data.set(FLOAT_LE, at + 4L * i, Float.float16ToFloat(q8.data().get(SHORT_LE, src)));
                        for (int j = 0; j < 32; j++) {
                            block[j * ROWS + i] = packed.quant(src, j);
                        }
                    }
                    MemorySegment.copy(block, 0, data, ValueLayout.JAVA_BYTE, at + 64, block.length);
                }
            }
        });
        return packed;
    }

    /** {@code acc = fma(q[r][k] * d[r][k / 32], x[k], acc)} for every column in order, from zero. */
    @Override
    public float referenceDot(int r, float[] x, int xOff) {
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long src = blockOffset(r, b);
            float d = Float.float16ToFloat(source.data().get(SHORT_LE, src));
            for (int j = 0; j < 32; j++) {
                acc = Math.fma(quant(src, j) * d, x[xOff + b * 32 + j], acc);
            }
        }
        return acc;
    }

    /** Where block {@code b} of row {@code r} starts in the source: its f16 scale, then its quants. */
    private long blockOffset(int r, int b) {
        return source.rowOffset(r) + (long) b * (source.format() == WeightFormat.Q8_0 ? Q8_0.BYTES : Q4_0.BYTES);
    }

    /** Quant {@code j} of the source block at {@code src}: a Q8_0 byte, or a Q4_0 nibble less 8. */
    private byte quant(long src, int j) {
        if (source.format() == WeightFormat.Q8_0) {
            return source.data().get(ValueLayout.JAVA_BYTE, src + 2 + j);
        }
        int q = source.data().get(ValueLayout.JAVA_BYTE, src + 2 + (j & 15));
        return (byte) ((j < 16 ? q & 0x0F : (q >> 4) & 0x0F) - 8);
    }

    long offset(int panel, int block) {
        return ((long) panel * blocks + block) * PANEL_BLOCK_BYTES;
    }

    /**
     * Batch 1, panels {@code from..to-1}: two panels at a time, so that four fma chains (two per panel) hide the fma
     * latency; a last odd panel alone.
     */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
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

    /**
     * Batch 1 in 512-bit vectors, a panel's column in one register: four panels at a time (four fma chains; two
     * left the fma latency showing, eight made C2 spill the vectors to the heap), then what is left one panel at a
     * time. Half the instructions of {@link #matvec} for the same sums.
     */
    @Override
    void matvecWide(float[] x, float[] out, int from, int to) {
        var lanes = SCRATCH.get().lanes;
        int p = from;
        for (; p + 3 < to; p += 4) {
            var a = FloatVector.zero(F512);
            var b = a;
            var c = a;
            var e = a;
            long oa = offset(p, 0);
            long ob = offset(p + 1, 0);
            long oc = offset(p + 2, 0);
            long oe = offset(p + 3, 0);
            for (int bl = 0; bl < blocks; bl++) {
                var da = FloatVector.fromMemorySegment(F512, data, oa, LE);
                var db = FloatVector.fromMemorySegment(F512, data, ob, LE);
                var dc = FloatVector.fromMemorySegment(F512, data, oc, LE);
                var de = FloatVector.fromMemorySegment(F512, data, oe, LE);
                int xb = bl * 32;
                for (int j = 0; j < 32; j++) {
                    var xv = FloatVector.broadcast(F512, x[xb + j]);
                    long q = 64 + j * ROWS;
                    a = widen16(oa + q).mul(da).fma(xv, a);
                    b = widen16(ob + q).mul(db).fma(xv, b);
                    c = widen16(oc + q).mul(dc).fma(xv, c);
                    e = widen16(oe + q).mul(de).fma(xv, e);
                }
                oa += PANEL_BLOCK_BYTES;
                ob += PANEL_BLOCK_BYTES;
                oc += PANEL_BLOCK_BYTES;
                oe += PANEL_BLOCK_BYTES;
            }
            a.intoArray(lanes, 0);
            b.intoArray(lanes, 16);
            c.intoArray(lanes, 32);
            e.intoArray(lanes, 48);
            store(lanes, 0, 4 * ROWS, out, 0, p * ROWS);
        }
        for (; p < to; p++) {
            var a = FloatVector.zero(F512);
            long oa = offset(p, 0);
            for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES) {
                var da = FloatVector.fromMemorySegment(F512, data, oa, LE);
                int xb = bl * 32;
                for (int j = 0; j < 32; j++) {
                    a = widen16(oa + 64 + j * ROWS).mul(da).fma(FloatVector.broadcast(F512, x[xb + j]), a);
                }
            }
            a.intoArray(lanes, 0);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
        }
    }

    /** Batch 2 in 512-bit vectors: two panels by two inputs (four chains), each widened and scaled column used twice. */
    @Override
    void matvec2Wide(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        var lanes = SCRATCH.get().lanes;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a = FloatVector.zero(F512); // input 0, panels p and p + 1 (a, b); input 1 (c, e)
            var b = a;
            var c = a;
            var e = a;
            long oa = offset(p, 0);
            long ob = pair ? offset(p + 1, 0) : oa;
            for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES, ob += PANEL_BLOCK_BYTES) {
                var da = FloatVector.fromMemorySegment(F512, data, oa, LE);
                var db = FloatVector.fromMemorySegment(F512, data, ob, LE);
                int xb = bl * 32;
                for (int j = 0; j < 32; j++) {
                    long q = 64 + j * ROWS;
                    var wa = widen16(oa + q).mul(da);
                    var wb = widen16(ob + q).mul(db);
                    var xv = FloatVector.broadcast(F512, x[xb + j]);
                    a = wa.fma(xv, a);
                    b = wb.fma(xv, b);
                    xv = FloatVector.broadcast(F512, x[cols + xb + j]);
                    c = wa.fma(xv, c);
                    e = wb.fma(xv, e);
                }
            }
            a.intoArray(lanes, 0);
            b.intoArray(lanes, 16);
            c.intoArray(lanes, 32);
            e.intoArray(lanes, 48);
            store(lanes, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
            store(lanes, 2 * ROWS, pair ? 2 * ROWS : ROWS, out, source.rows(), p * ROWS);
        }
    }

    @Override
    void fewWide(float[] x, int batch, float[] out, int from, int to) {
        PackedQ8Few.eight(this, x, batch, out, from, to);
    }

    @Override
    void fourWide(float[] x, int batch, float[] out, int from, int to) {
        PackedQ8Few.four(this, x, batch, out, from, to);
    }

    /** The sixteen weights at byte {@code at} of the packed data (a panel's column), as floats (exact). */
    FloatVector widen16(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B16, data, at, LE).convertShape(VectorOperators.B2F, F512, 0);
    }

    /** One panel at a time: four chains (two half panels by two inputs), each widened and scaled vector used twice. */
    @Override
    void matvec2(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        var lanes = SCRATCH.get().lanes;
        for (int p = from; p < to; p++) {
            var a0 = FloatVector.zero(F8); // input 0, rows 0-7 and 8-15; input 1 (c)
            var a1 = a0;
            var c0 = a0;
            var c1 = a0;
            long oa = offset(p, 0);
            for (int b = 0; b < blocks; b++, oa += PANEL_BLOCK_BYTES) {
                var d0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var d1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                int xb = b * 32;
                for (int j = 0; j < 32; j++) {
                    var w0 = widen(oa + 64 + j * ROWS).mul(d0);
                    var w1 = widen(oa + 72 + j * ROWS).mul(d1);
                    var xv = FloatVector.broadcast(F8, x[xb + j]);
                    a0 = w0.fma(xv, a0);
                    a1 = w1.fma(xv, a1);
                    xv = FloatVector.broadcast(F8, x[cols + xb + j]);
                    c0 = w0.fma(xv, c0);
                    c1 = w1.fma(xv, c1);
                }
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            c0.intoArray(lanes, 16);
            c1.intoArray(lanes, 24);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
            store(lanes, ROWS, ROWS, out, source.rows(), p * ROWS);
        }
    }

    /** The eight weights at byte {@code at} of the packed data, as floats (exact). */
    private FloatVector widen(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, data, at, LE).convertShape(VectorOperators.B2F, F8, 0);
    }

    /** Each weight times its row's scale. */
    @Override
    void widenSlab(int p, int k0, int width, float[] slab) {
        int count = width / 32;
        long o = offset(p, k0 / 32);
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
}
