package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.FLOAT_LE;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.SHORT_LE;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Parallel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q4_0 matrix in {@link PackedPanels}, its nibbles kept as nibbles. Per panel and block of 32 columns:
 * <pre>
 *   float d[16];          // the sixteen rows' scales, widened from f16 (64 bytes)
 *   uint8 q[16][16];      // byte [c][i]: row i's nibble of column 2c (low four bits) and of column 2c + 1 (high)
 * </pre>
 * 320 bytes per 512 weights, against 288 in GGUF and 576 in {@link PackedQ8}'s byte panels: a batch-1 decode streams
 * 0.56 of the bytes. One load of sixteen bytes holds two columns of a panel; the low column is cut with an {@code and},
 * the high one with a shift of the bytes' ints by four and the same {@code and}, and each has 8 taken off as bytes
 * before it is widened to floats. Every output is the chain of {@link PackedQ8}'s Q4_0 panels,
 * {@code acc = fma((nibble - 8) * d, x, acc)} in column order, bit for bit.
 *
 * <p>Batches 1 and 2 have their own streaming kernels; batches 3 to {@value PackedPanels#FEW} on AVX-512, and 3 and
 * more elsewhere, go through the tile ({@link #widenSlab}), where a weight is widened once per slab and the bytes
 * matter less.
 *
 * <p>Opt-in ({@code -Dservelab.packed.q4=nibbles}): on the Zen 4 machine of kernels/README.md every batch ran slower
 * than on the byte panels (batch 1 0.75x on one core, where the kernels are bound by arithmetic and the nibbles add
 * three byte operations per pair of columns); what it saves is memory. The unpacking is written out in each kernel:
 * as two small methods C2 did not inline them, and every vector became a heap object.
 */
public final class PackedQ4 extends PackedPanels {
    /** Bytes of one panel's block of 32 columns: sixteen float scales and 512 nibbles. */
    static final long PANEL_BLOCK_BYTES = 64 + 16 * ROWS;

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final byte LOW = 0x0F;
    private static final byte EIGHT = 8;

    final int blocks;

    private PackedQ4(Matrix source, MemorySegment data) {
        super(source, data);
        this.blocks = source.cols() / 32;
    }

    /** Repacks {@code q4} (a {@link WeightFormat#Q4_0} matrix) into memory of {@code arena}, panels split over {@code parallel}. */
    public static PackedQ4 pack(Matrix q4, Arena arena, Parallel parallel) {
        if (q4.format() != WeightFormat.Q4_0) {
            throw new IllegalArgumentException("PackedQ4 packs Q4_0 matrices, not " + q4.format());
        }
        int panels = (q4.rows() + ROWS - 1) / ROWS;
        int blocks = q4.cols() / 32;
        var data = arena.allocate(panels * blocks * PANEL_BLOCK_BYTES, 64);
        var packed = new PackedQ4(q4, data);
        parallel.forRange(panels, 1, (from, to) -> {
            // a padding row's nibbles are 8, the weight 0 (and its scale 0)
            var block = new byte[16 * ROWS];
            for (int p = from; p < to; p++) {
                for (int b = 0; b < blocks; b++) {
                    long at = packed.offset(p, b);
                    java.util.Arrays.fill(block, (byte) 0x88);
                    for (int i = 0; i < ROWS && p * ROWS + i < q4.rows(); i++) {
                        long src = packed.blockOffset(p * ROWS + i, b);
                        data.set(FLOAT_LE, at + 4L * i, Float.float16ToFloat(q4.data().get(SHORT_LE, src)));
                        for (int c = 0; c < 16; c++) {
                            block[c * ROWS + i] = (byte) (packed.nibble(src, 2 * c) | packed.nibble(src, 2 * c + 1) << 4);
                        }
                    }
                    MemorySegment.copy(block, 0, data, ValueLayout.JAVA_BYTE, at + 64, block.length);
                }
            }
        });
        return packed;
    }

    /** {@code acc = fma((nibble[r][k] - 8) * d[r][k / 32], x[k], acc)} for every column in order, from zero. */
    @Override
    public float referenceDot(int r, float[] x, int xOff) {
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long src = blockOffset(r, b);
            float d = Float.float16ToFloat(source.data().get(SHORT_LE, src));
            for (int j = 0; j < 32; j++) {
                acc = Math.fma((nibble(src, j) - 8) * d, x[xOff + b * 32 + j], acc);
            }
        }
        return acc;
    }

    /** Where block {@code b} of row {@code r} starts in the source: its f16 scale, then sixteen bytes of nibbles. */
    private long blockOffset(int r, int b) {
        return source.rowOffset(r) + (long) b * Q4_0.BYTES;
    }

    /** Nibble {@code j} (0 to 15) of the source block at {@code src}: GGUF keeps column j low and j + 16 high. */
    private int nibble(long src, int j) {
        int q = source.data().get(ValueLayout.JAVA_BYTE, src + 2 + (j & 15));
        return j < 16 ? q & 0x0F : (q >> 4) & 0x0F;
    }

    long offset(int panel, int block) {
        return ((long) panel * blocks + block) * PANEL_BLOCK_BYTES;
    }

    /** Batch 1, two panels at a time (four fma chains), a last odd panel alone. */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        var lanes = SCRATCH.get().lanes;
        int p = from;
        for (; p + 1 < to; p += 2) {
            var a0 = FloatVector.zero(F8); // panel p, rows 0-7 and 8-15; panel p + 1 (b)
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            long oa = offset(p, 0);
            long ob = offset(p + 1, 0);
            for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES, ob += PANEL_BLOCK_BYTES) {
                var da0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var da1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                var db0 = FloatVector.fromMemorySegment(F8, data, ob, LE);
                var db1 = FloatVector.fromMemorySegment(F8, data, ob + 32, LE);
                for (int c = 0, k = bl * 32; c < 16; c++, k += 2) {
                    long q = 64 + c * ROWS;
                    var na0 = ByteVector.fromMemorySegment(B8, data, oa + q, LE);
                    var na1 = ByteVector.fromMemorySegment(B8, data, oa + q + 8, LE);
                    var nb0 = ByteVector.fromMemorySegment(B8, data, ob + q, LE);
                    var nb1 = ByteVector.fromMemorySegment(B8, data, ob + q + 8, LE);
                    var xv = FloatVector.broadcast(F8, x[k]);
                    a0 = ((FloatVector) na0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da0).fma(xv, a0);
                    a1 = ((FloatVector) na1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da1).fma(xv, a1);
                    b0 = ((FloatVector) nb0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(db0).fma(xv, b0);
                    b1 = ((FloatVector) nb1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(db1).fma(xv, b1);
                    na0 = na0.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    na1 = na1.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    nb0 = nb0.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    nb1 = nb1.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    xv = FloatVector.broadcast(F8, x[k + 1]);
                    a0 = ((FloatVector) na0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da0).fma(xv, a0);
                    a1 = ((FloatVector) na1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da1).fma(xv, a1);
                    b0 = ((FloatVector) nb0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(db0).fma(xv, b0);
                    b1 = ((FloatVector) nb1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(db1).fma(xv, b1);
                }
            }
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
            for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES) {
                var da0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var da1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                for (int c = 0, k = bl * 32; c < 16; c++, k += 2) {
                    long q = 64 + c * ROWS;
                    var na0 = ByteVector.fromMemorySegment(B8, data, oa + q, LE);
                    var na1 = ByteVector.fromMemorySegment(B8, data, oa + q + 8, LE);
                    var xv = FloatVector.broadcast(F8, x[k]);
                    a0 = ((FloatVector) na0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da0).fma(xv, a0);
                    a1 = ((FloatVector) na1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da1).fma(xv, a1);
                    na0 = na0.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    na1 = na1.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    xv = FloatVector.broadcast(F8, x[k + 1]);
                    a0 = ((FloatVector) na0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da0).fma(xv, a0);
                    a1 = ((FloatVector) na1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(da1).fma(xv, a1);
                }
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
        }
    }

    /** Batch 1 in 512-bit vectors: four panels at a time (four chains, as {@link PackedQ8#matvecWide}), then one. */
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
                for (int col = 0, k = bl * 32; col < 16; col++, k += 2) {
                    long q = 64 + col * ROWS;
                    var na = ByteVector.fromMemorySegment(B16, data, oa + q, LE);
                    var nb = ByteVector.fromMemorySegment(B16, data, ob + q, LE);
                    var nc = ByteVector.fromMemorySegment(B16, data, oc + q, LE);
                    var ne = ByteVector.fromMemorySegment(B16, data, oe + q, LE);
                    var xv = FloatVector.broadcast(F512, x[k]);
                    a = ((FloatVector) na.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(da).fma(xv, a);
                    b = ((FloatVector) nb.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(db).fma(xv, b);
                    c = ((FloatVector) nc.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(dc).fma(xv, c);
                    e = ((FloatVector) ne.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(de).fma(xv, e);
                    na = na.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    nb = nb.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    nc = nc.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    ne = ne.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    xv = FloatVector.broadcast(F512, x[k + 1]);
                    a = ((FloatVector) na.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(da).fma(xv, a);
                    b = ((FloatVector) nb.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(db).fma(xv, b);
                    c = ((FloatVector) nc.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(dc).fma(xv, c);
                    e = ((FloatVector) ne.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(de).fma(xv, e);
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
                for (int col = 0, k = bl * 32; col < 16; col++, k += 2) {
                    var na = ByteVector.fromMemorySegment(B16, data, oa + 64 + col * ROWS, LE);
                    var xv = FloatVector.broadcast(F512, x[k]);
                    a = ((FloatVector) na.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(da).fma(xv, a);
                    na = na.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    xv = FloatVector.broadcast(F512, x[k + 1]);
                    a = ((FloatVector) na.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(da).fma(xv, a);
                }
            }
            a.intoArray(lanes, 0);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
        }
    }

    /** Batch 2, one panel at a time: four chains (two half panels by two inputs), each widened vector used twice. */
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
            for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES) {
                var d0 = FloatVector.fromMemorySegment(F8, data, oa, LE);
                var d1 = FloatVector.fromMemorySegment(F8, data, oa + 32, LE);
                for (int c = 0, k = bl * 32; c < 16; c++, k += 2) {
                    long q = 64 + c * ROWS;
                    var n0 = ByteVector.fromMemorySegment(B8, data, oa + q, LE);
                    var n1 = ByteVector.fromMemorySegment(B8, data, oa + q + 8, LE);
                    for (int half = 0; half < 2; half++) { // column k (low nibbles), then k + 1 (high)
                        var w0 = ((FloatVector) n0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d0);
                        var w1 = ((FloatVector) n1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d1);
                        var xv = FloatVector.broadcast(F8, x[k + half]);
                        a0 = w0.fma(xv, a0);
                        a1 = w1.fma(xv, a1);
                        xv = FloatVector.broadcast(F8, x[cols + k + half]);
                        c0 = w0.fma(xv, c0);
                        c1 = w1.fma(xv, c1);
                        n0 = n0.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                        n1 = n1.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    }
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

    /** Batch 2 in 512-bit vectors: two panels by two inputs (four chains), each widened column used twice. */
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
                for (int col = 0, k = bl * 32; col < 16; col++, k += 2) {
                    var na = ByteVector.fromMemorySegment(B16, data, oa + 64 + col * ROWS, LE);
                    var nb = ByteVector.fromMemorySegment(B16, data, ob + 64 + col * ROWS, LE);
                    for (int half = 0; half < 2; half++) { // column k (low nibbles), then k + 1 (high)
                        var wa = ((FloatVector) na.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(da);
                        var wb = ((FloatVector) nb.and(LOW).sub(EIGHT).convertShape(B2F, F512, 0)).mul(db);
                        var xv = FloatVector.broadcast(F512, x[k + half]);
                        a = wa.fma(xv, a);
                        b = wb.fma(xv, b);
                        xv = FloatVector.broadcast(F512, x[cols + k + half]);
                        c = wa.fma(xv, c);
                        e = wb.fma(xv, e);
                        na = na.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                        nb = nb.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                    }
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

    /** Each weight, {@code nibble - 8}, times its row's scale. */
    @Override
    void widenSlab(int p, int k0, int width, float[] slab) {
        int count = width / 32;
        long o = offset(p, k0 / 32);
        for (int b = 0; b < count; b++, o += PANEL_BLOCK_BYTES) {
            var d0 = FloatVector.fromMemorySegment(F8, data, o, LE);
            var d1 = FloatVector.fromMemorySegment(F8, data, o + 32, LE);
            for (int c = 0; c < 32; c += 2) {
                var n0 = ByteVector.fromMemorySegment(B8, data, o + 64 + c * 8, LE);
                var n1 = ByteVector.fromMemorySegment(B8, data, o + 72 + c * 8, LE);
                int at = (b * 32 + c) * ROWS;
                ((FloatVector) n0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d0).intoArray(slab, at);
                ((FloatVector) n1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d1).intoArray(slab, at + 8);
                n0 = n0.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                n1 = n1.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes();
                ((FloatVector) n0.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d0).intoArray(slab, at + ROWS);
                ((FloatVector) n1.and(LOW).sub(EIGHT).convertShape(B2F, F8, 0)).mul(d1).intoArray(slab, at + ROWS + 8);
            }
        }
    }
}
