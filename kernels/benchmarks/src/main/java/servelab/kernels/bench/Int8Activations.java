package servelab.kernels.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import servelab.kernels.Parallel;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.PackedQ8;
import servelab.kernels.matmul.WeightFormat;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-1 matvec with the activations quantized to int8, as llama.cpp multiplies Q8_0 and Q4_0 weights
 * ({@code quantize_row_q8_0}, then integer block sums): a measured alternative to {@code cpu-packed}'s float
 * kernels, kept in the benchmarks only (as {@link PreviousMatMul} is), because it changes the numbers the engine's
 * exactness rests on (kernels/README.md, "Tried and not kept").
 *
 * <p>The weights are {@link PackedQ8}'s panels, packed by it as {@code cpu-packed} packs them (per panel of sixteen rows and block of 32 columns: the rows'
 * scales as floats, then {@code int8 q[32][16]}; a Q4_0 nibble as the byte {@code nibble - 8}). The input is cut into
 * blocks of 32 and each block quantized as llama.cpp does: {@code d = max|x| / 127}, {@code q = round(x / d)} half
 * away from zero, and {@code d} kept as a half float. Each output is then, block by block in column order from zero,
 * {@code acc = fma((float) sum(q_w * q_x), d_w * d_x, acc)}, where the integer sum is exact: {@link #referenceDot}.
 *
 * <p>The kernel multiplies sixteen rows' weights (one column of a panel) by a broadcast activation in 16-bit lanes.
 * A Q8_0 product is at most 128 x 127, so two columns are added in 16 bits and the pair widened to 32-bit lanes; a
 * Q4_0 product is at most 8 x 127, so a whole block of 32 adds up in 16 bits. Four panels at a time, as
 * {@code PackedQ8.matvecWide}; one thread; 256-bit shorts and 512-bit ints and floats (AVX-512).
 */
public final class Int8Activations {
    static final int ROWS = 16;
    /** {@link PackedQ8}'s bytes per panel and block of 32 columns: sixteen float scales, then 512 weights. */
    static final long PANEL_BLOCK_BYTES = 64 + 32 * ROWS;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private final WeightFormat format;
    private final int rows;
    private final int cols;
    private final int blocks;
    private final int panels;
    private final MemorySegment data;
    // the quantized input, one short per column (the kernel broadcasts it into 16-bit lanes), and each block's scale
    private final short[] xq;
    private final float[] xd;
    private final float[] lanes = new float[4 * ROWS];

    private Int8Activations(Matrix w, MemorySegment data) {
        this.format = w.format();
        this.rows = w.rows();
        this.cols = w.cols();
        this.blocks = cols / 32;
        this.panels = (rows + ROWS - 1) / ROWS;
        this.data = data;
        this.xq = new short[cols];
        this.xd = new float[blocks];
    }

    /** Packs a Q8_0 or Q4_0 matrix into {@link PackedQ8}'s panels in memory of {@code arena}, as {@code cpu-packed} does. */
    public static Int8Activations pack(Matrix w, Arena arena) {
        if (w.format() != WeightFormat.Q8_0 && w.format() != WeightFormat.Q4_0) {
            throw new IllegalArgumentException("Int8Activations takes Q8_0 and Q4_0 matrices, not " + w.format());
        }
        return new Int8Activations(w, PackedQ8.pack(w, arena, Parallel.serial()).data());
    }

    private long offset(int panel, int block) {
        return ((long) panel * blocks + block) * PANEL_BLOCK_BYTES;
    }

    /**
     * llama.cpp's {@code quantize_row_q8_0} of {@code x}: per block of 32, {@code d = max|x| / 127} (kept as a half
     * float), {@code q = round(x / d)} half away from zero (0 where the block is all zeros).
     */
    static void quantize(float[] x, short[] q, float[] d) {
        for (int b = 0; b < d.length; b++) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            float scale = amax / 127f;
            float inverse = scale != 0f ? 1f / scale : 0f;
            d[b] = Float.float16ToFloat(Float.floatToFloat16(scale));
            for (int j = 0; j < 32; j++) {
                float v = x[b * 32 + j] * inverse;
                q[b * 32 + j] = (short) (v < 0 ? -Math.round(-v) : Math.round(v));
            }
        }
    }

    /** Row {@code r} against the quantized input {@code q}, {@code d}: the sum every kernel here gives, bit for bit. */
    float referenceDot(int r, short[] q, float[] d) {
        int p = r / ROWS;
        int i = r % ROWS;
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long at = offset(p, b);
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += data.get(ValueLayout.JAVA_BYTE, at + 64 + j * ROWS + i) * q[b * 32 + j];
            acc = Math.fma((float) sum, data.get(FLOAT_LE, at + 4L * i) * d[b], acc);
        }
        return acc;
    }

    /** {@code out[r] = } {@link #referenceDot} of row {@code r} and {@code x} quantized, every row, on this thread. */
    public void matvec(float[] x, float[] out) {
        quantize(x, xq, xd);
        if (format == WeightFormat.Q4_0) q4(out);
        else q8(out);
    }

    /** Q8_0: two columns added in 16-bit lanes, then widened into 32-bit sums; two panels at a time, then one. */
    private void q8(float[] out) {
        int p = 0;
        for (; p + 1 < panels; p += 2) {
            var a = FloatVector.zero(F512);
            var b = a;
            long oa = offset(p, 0);
            long ob = offset(p + 1, 0);
            for (int bl = 0; bl < blocks; bl++) {
                var ia = IntVector.zero(I512);
                var ib = ia;
                for (int j = 0, k = bl * 32; j < 32; j += 2, k += 2) {
                    var x0 = ShortVector.broadcast(S256, xq[k]);
                    var x1 = ShortVector.broadcast(S256, xq[k + 1]);
                    long q = 64 + j * ROWS;
                    ia = ia.add(((ShortVector) ByteVector.fromMemorySegment(B16, data, oa + q, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x0).add(((ShortVector) ByteVector.fromMemorySegment(B16, data, oa + q + ROWS, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x1)).convertShape(VectorOperators.S2I, I512, 0));
                    ib = ib.add(((ShortVector) ByteVector.fromMemorySegment(B16, data, ob + q, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x0).add(((ShortVector) ByteVector.fromMemorySegment(B16, data, ob + q + ROWS, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x1)).convertShape(VectorOperators.S2I, I512, 0));
                }
                var dx = FloatVector.broadcast(F512, xd[bl]);
                a = ((FloatVector) ia.convert(VectorOperators.I2F, 0)).fma(scales(oa).mul(dx), a);
                b = ((FloatVector) ib.convert(VectorOperators.I2F, 0)).fma(scales(ob).mul(dx), b);
                oa += PANEL_BLOCK_BYTES;
                ob += PANEL_BLOCK_BYTES;
            }
            a.intoArray(lanes, 0);
            b.intoArray(lanes, ROWS);
            store(2, p, out);
        }
        for (; p < panels; p++) q8Panel(p, out);
    }

    /** {@link #q8} for one panel. */
    private void q8Panel(int p, float[] out) {
        var a = FloatVector.zero(F512);
        long oa = offset(p, 0);
        for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES) {
            var ia = IntVector.zero(I512);
            for (int j = 0, k = bl * 32; j < 32; j += 2, k += 2) {
                var x0 = ShortVector.broadcast(S256, xq[k]);
                var x1 = ShortVector.broadcast(S256, xq[k + 1]);
                long q = 64 + j * ROWS;
                ia = ia.add(((ShortVector) ByteVector.fromMemorySegment(B16, data, oa + q, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x0).add(((ShortVector) ByteVector.fromMemorySegment(B16, data, oa + q + ROWS, LE).convertShape(VectorOperators.B2S, S256, 0)).mul(x1)).convertShape(VectorOperators.S2I, I512, 0));
            }
            var dx = FloatVector.broadcast(F512, xd[bl]);
            a = ((FloatVector) ia.convert(VectorOperators.I2F, 0)).fma(scales(oa).mul(dx), a);
        }
        a.intoArray(lanes, 0);
        store(1, p, out);
    }

    /** Q4_0: a block's 32 products added in 16-bit lanes (at most 32 x 8 x 127 = 32,512); four panels, then one. */
    private void q4(float[] out) {
        int p = 0;
        for (; p + 3 < panels; p += 4) {
            var a = FloatVector.zero(F512);
            var b = a;
            var c = a;
            var e = a;
            long oa = offset(p, 0);
            long ob = offset(p + 1, 0);
            long oc = offset(p + 2, 0);
            long oe = offset(p + 3, 0);
            for (int bl = 0; bl < blocks; bl++) {
                var sa = ShortVector.zero(S256);
                var sb = sa;
                var sc = sa;
                var se = sa;
                for (int j = 0, k = bl * 32; j < 32; j++, k++) {
                    var xv = ShortVector.broadcast(S256, xq[k]);
                    long q = 64 + j * ROWS;
                    sa = widen(oa + q).mul(xv).add(sa);
                    sb = widen(ob + q).mul(xv).add(sb);
                    sc = widen(oc + q).mul(xv).add(sc);
                    se = widen(oe + q).mul(xv).add(se);
                }
                var dx = FloatVector.broadcast(F512, xd[bl]);
                a = ((FloatVector) sa.convertShape(VectorOperators.S2F, F512, 0)).fma(scales(oa).mul(dx), a);
                b = ((FloatVector) sb.convertShape(VectorOperators.S2F, F512, 0)).fma(scales(ob).mul(dx), b);
                c = ((FloatVector) sc.convertShape(VectorOperators.S2F, F512, 0)).fma(scales(oc).mul(dx), c);
                e = ((FloatVector) se.convertShape(VectorOperators.S2F, F512, 0)).fma(scales(oe).mul(dx), e);
                oa += PANEL_BLOCK_BYTES;
                ob += PANEL_BLOCK_BYTES;
                oc += PANEL_BLOCK_BYTES;
                oe += PANEL_BLOCK_BYTES;
            }
            a.intoArray(lanes, 0);
            b.intoArray(lanes, ROWS);
            c.intoArray(lanes, 2 * ROWS);
            e.intoArray(lanes, 3 * ROWS);
            store(4, p, out);
        }
        for (; p < panels; p++) q4Panel(p, out);
    }

    /** {@link #q4} for one panel. */
    private void q4Panel(int p, float[] out) {
        var a = FloatVector.zero(F512);
        long oa = offset(p, 0);
        for (int bl = 0; bl < blocks; bl++, oa += PANEL_BLOCK_BYTES) {
            var sa = ShortVector.zero(S256);
            for (int j = 0, k = bl * 32; j < 32; j++, k++) {
                sa = widen(oa + 64 + j * ROWS).mul(ShortVector.broadcast(S256, xq[k])).add(sa);
            }
            var dx = FloatVector.broadcast(F512, xd[bl]);
            a = ((FloatVector) sa.convertShape(VectorOperators.S2F, F512, 0)).fma(scales(oa).mul(dx), a);
        }
        a.intoArray(lanes, 0);
        store(1, p, out);
    }

    /** Sixteen weights (a column of a panel) in 16-bit lanes. */
    private ShortVector widen(long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, data, at, LE).convertShape(VectorOperators.B2S, S256, 0);
    }

    private FloatVector scales(long at) {
        return FloatVector.fromMemorySegment(F512, data, at, LE);
    }

    /** The lanes of {@code count} panels from {@code p} into {@code out}, rows past the last left out. */
    private void store(int count, int p, float[] out) {
        int n = Math.min(count * ROWS, rows - p * ROWS);
        System.arraycopy(lanes, 0, out, p * ROWS, n);
    }
}
