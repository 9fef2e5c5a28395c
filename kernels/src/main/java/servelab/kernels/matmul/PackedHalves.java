package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import servelab.kernels.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An F16 or BF16 matrix in {@link PackedPanels}: per panel, column after column, the sixteen rows' halves of each
 * column (32 bytes; rows past the last are zeros), the same bytes as the GGUF matrix. Every output is
 * {@code acc = fma(w[r][k], x[k], acc)} for every column in order, from zero.
 *
 * <p>The Vector API has no conversion from half precision. At batches 1 to {@value PackedPanels#FEW} each column is
 * widened in registers by integer operations ({@link #widen8}, {@link #widen16}) as it streams; the tile's slabs are
 * widened by a loop (for F16 one that C2 compiles to {@code vcvtph2ps}), once for all the inputs. Both formats take the
 * same operations with their own constants: F16 shifts by 13 and masks, which gives the half times 2^-112, and the
 * input carries the 2^112 instead ({@link #smallBatchInput}); BF16 is a float's upper half, so it shifts by 16, and its
 * mask changes nothing. The F16 widening is exact for finite halves only, so an F16 matrix holding an infinity or a
 * NaN runs every batch through the tile; the BF16 one is exact for every value.
 */
public final class PackedHalves extends PackedPanels {
    /** Eight halves (half a panel's column) and sixteen (a whole one). */
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;

    private final boolean bf16;
    /** Whether every weight widens exactly in registers ({@link #widen8}, {@link #widen16}). */
    private final boolean exact;
    /** A half sign-extended to an int, shifted left by this and masked, is its value times 2^-112 (F16) or itself. */
    private final int shift;
    private final int mask;

    private PackedHalves(Matrix source, MemorySegment data, boolean exact) {
        super(source, data);
        this.bf16 = source.format() == WeightFormat.BF16;
        this.exact = exact;
        this.shift = bf16 ? 16 : 13;
        this.mask = bf16 ? -1 : 0x8FFF_FFFF;
    }

    /** Repacks {@code f16} (an F16 or BF16 matrix) into memory of {@code arena}, panels split over {@code parallel}. */
    public static PackedHalves pack(Matrix f16, Arena arena, Parallel parallel) {
        if (f16.format() != WeightFormat.F16 && f16.format() != WeightFormat.BF16) {
            throw new IllegalArgumentException("PackedHalves packs F16 and BF16 matrices, not " + f16.format());
        }
        boolean bf16 = f16.format() == WeightFormat.BF16;
        int cols = f16.cols();
        int panels = (f16.rows() + ROWS - 1) / ROWS;
        var data = arena.allocate((long) panels * cols * ROWS * 2, 64);
        var nonFinite = new AtomicBoolean();
        parallel.forRange(panels, 1, (from, to) -> {
            var row = new short[cols];
            var panel = new short[cols * ROWS];
            boolean seen = false;
            for (int p = from; p < to; p++) {
                java.util.Arrays.fill(panel, (short) 0);
                for (int i = 0; i < ROWS && p * ROWS + i < f16.rows(); i++) {
                    MemorySegment.copy(f16.data(), SHORT_LE, f16.rowOffset(p * ROWS + i), row, 0, cols);
                    for (int k = 0; k < cols; k++) {
                        panel[k * ROWS + i] = row[k];
                        seen |= !bf16 && (row[k] & 0x7C00) == 0x7C00; // an F16 infinity or NaN: exponent all ones
                    }
                }
                MemorySegment.copy(panel, 0, data, SHORT_LE, (long) p * cols * ROWS * 2, panel.length);
            }
            if (seen) nonFinite.set(true);
        });
        return new PackedHalves(f16, data, !nonFinite.get());
    }

    /** {@code acc = fma(w[r][k], x[k], acc)} for every column in order, from zero. */
    @Override
    public float referenceDot(int r, float[] x, int xOff) {
        float acc = 0f;
        long src = source.rowOffset(r);
        for (int k = 0; k < source.cols(); k++) {
            short h = source.data().get(SHORT_LE, src + 2L * k);
            acc = Math.fma(bf16 ? BF16.toFloat(h) : Float.float16ToFloat(h), x[xOff + k], acc);
        }
        return acc;
    }

    @Override
    boolean streamsSmallBatches() {
        return exact;
    }

    long offset(int panel, int column) {
        return ((long) panel * source.cols() + column) * ROWS * 2;
    }

    /**
     * The eight halves at byte {@code at} as floats, in registers. An F16 half sign-extended to an int and shifted left
     * by 13 has its sign in bit 31 and its exponent and fraction where a float's are, with three more copies of the
     * sign above them, which the mask clears: that float is the half's value times 2^-112, exactly, for every finite
     * half (a subnormal float where the half is subnormal), so the input carries the 2^112 ({@link #smallBatchInput}).
     * A BF16 half shifted by 16 is its float, and the mask (all ones) leaves it so. Three operations where the Vector
     * API has no {@code vcvtph2ps}.
     */
    private FloatVector widen8(long at) {
        return ((IntVector) ShortVector.fromMemorySegment(S8, data, at, LE).convertShape(VectorOperators.S2I, I8, 0))
                .lanewise(VectorOperators.LSHL, shift)
                .lanewise(VectorOperators.AND, mask)
                .reinterpretAsFloats();
    }

    /**
     * The input of the streaming kernels: BF16's is {@code x}; F16's is {@code x} times 2^112, in this thread's buffer,
     * exact while every {@code |x| < 2^16}, so that each product with a widened weight (the half times 2^-112) is the
     * half times {@code x}, and each fma the reference's. Where some {@code |x|} is 2^16 or more, or NaN, the product
     * would overflow: {@code null}, and the batch goes through the tile. Until 2026-12-07 the widening multiplied each
     * weight by 2^112 instead, one operation more per sixteen weights (kernels/README.md).
     */
    @Override
    float[] smallBatchInput(float[] x, int n) {
        if (bf16) {
            return x;
        }
        var input = SCRATCH.get().input(n);
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(x[i]) < 0x1p16f)) {
                return null;
            }
            input[i] = x[i] * 0x1p112f;
        }
        return input;
    }

    /** {@link #widen8} for the sixteen halves of a panel's column, in one 512-bit vector. */
    FloatVector widen16(long at) {
        return ((IntVector) ShortVector.fromMemorySegment(S16, data, at, LE).convertShape(VectorOperators.S2I, I16, 0))
                .lanewise(VectorOperators.LSHL, shift)
                .lanewise(VectorOperators.AND, mask)
                .reinterpretAsFloats();
    }

    /**
     * Two panels at a time (four fma chains), a last odd panel with the second's chains on its own weights, unstored;
     * {@code x} from {@link #smallBatchInput}.
     */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        var lanes = SCRATCH.get().lanes;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F8);
            var a1 = a0;
            var b0 = a0;
            var b1 = a0;
            long oa = offset(p, 0);
            long ob = pair ? offset(p + 1, 0) : oa;
            for (int k = 0; k < cols; k++) {
                var xv = FloatVector.broadcast(F8, x[k]);
                long q = 32L * k;
                a0 = widen8(oa + q).fma(xv, a0);
                a1 = widen8(oa + q + 16).fma(xv, a1);
                b0 = widen8(ob + q).fma(xv, b0);
                b1 = widen8(ob + q + 16).fma(xv, b1);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            b0.intoArray(lanes, 16);
            b1.intoArray(lanes, 24);
            store(lanes, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
        }
    }

    /** As {@link #matvec}, each widened vector used for both inputs: eight chains for two panels. */
    @Override
    void matvec2(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        int rows = source.rows();
        var lanes = SCRATCH.get().lanes;
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
            long oa = offset(p, 0);
            long ob = pair ? offset(p + 1, 0) : oa;
            for (int k = 0; k < cols; k++) {
                long q = 32L * k;
                var wa0 = widen8(oa + q);
                var wa1 = widen8(oa + q + 16);
                var wb0 = widen8(ob + q);
                var wb1 = widen8(ob + q + 16);
                var xv = FloatVector.broadcast(F8, x[k]);
                a0 = wa0.fma(xv, a0);
                a1 = wa1.fma(xv, a1);
                b0 = wb0.fma(xv, b0);
                b1 = wb1.fma(xv, b1);
                xv = FloatVector.broadcast(F8, x[cols + k]);
                c0 = wa0.fma(xv, c0);
                c1 = wa1.fma(xv, c1);
                e0 = wb0.fma(xv, e0);
                e1 = wb1.fma(xv, e1);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            b0.intoArray(lanes, 16);
            b1.intoArray(lanes, 24);
            c0.intoArray(lanes, 32);
            c1.intoArray(lanes, 40);
            e0.intoArray(lanes, 48);
            e1.intoArray(lanes, 56);
            store(lanes, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
            store(lanes, 2 * ROWS, pair ? 2 * ROWS : ROWS, out, rows, p * ROWS);
        }
    }

    /** {@link #matvec} in 512-bit vectors: four panels at a time (four chains), then one at a time. */
    @Override
    void matvecWide(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
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
            for (int k = 0; k < cols; k++) {
                var xv = FloatVector.broadcast(F512, x[k]);
                long q = 32L * k;
                a = widen16(oa + q).fma(xv, a);
                b = widen16(ob + q).fma(xv, b);
                c = widen16(oc + q).fma(xv, c);
                e = widen16(oe + q).fma(xv, e);
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
            for (int k = 0; k < cols; k++) {
                a = widen16(oa + 32L * k).fma(FloatVector.broadcast(F512, x[k]), a);
            }
            a.intoArray(lanes, 0);
            store(lanes, 0, ROWS, out, 0, p * ROWS);
        }
    }

    /** {@link #matvec2} in 512-bit vectors: two panels by two inputs, four chains. */
    @Override
    void matvec2Wide(float[] x, float[] out, int from, int to) {
        int cols = source.cols();
        int rows = source.rows();
        var lanes = SCRATCH.get().lanes;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a = FloatVector.zero(F512); // input 0, panels p (a) and p + 1 (b); input 1 (c, e)
            var b = a;
            var c = a;
            var e = a;
            long oa = offset(p, 0);
            long ob = pair ? offset(p + 1, 0) : oa;
            for (int k = 0; k < cols; k++) {
                var wa = widen16(oa + 32L * k);
                var wb = widen16(ob + 32L * k);
                var xv = FloatVector.broadcast(F512, x[k]);
                a = wa.fma(xv, a);
                b = wb.fma(xv, b);
                xv = FloatVector.broadcast(F512, x[cols + k]);
                c = wa.fma(xv, c);
                e = wb.fma(xv, e);
            }
            a.intoArray(lanes, 0);
            b.intoArray(lanes, 16);
            c.intoArray(lanes, 32);
            e.intoArray(lanes, 48);
            store(lanes, 0, pair ? 2 * ROWS : ROWS, out, 0, p * ROWS);
            store(lanes, 2 * ROWS, pair ? 2 * ROWS : ROWS, out, rows, p * ROWS);
        }
    }

    @Override
    void fewWide(float[] x, int batch, float[] out, int from, int to) {
        PackedHalvesFew.eight(this, x, batch, out, from, to);
    }

    @Override
    void fourWide(float[] x, int batch, float[] out, int from, int to) {
        PackedHalvesFew.four(this, x, batch, out, from, to);
    }

    @Override
    void widenSlab(int p, int k0, int width, float[] slab) {
        if (bf16) {
            BF16.widenRow(data, offset(p, k0), slab, 0, width * ROWS);
            return;
        }
        var halves = SCRATCH.get().halves;
        MemorySegment.copy(data, SHORT_LE, offset(p, k0), halves, 0, width * ROWS);
        for (int j = 0; j < width * ROWS; j++) {
            slab[j] = Float.float16ToFloat(halves[j]);
        }
    }
}
