package servelab.kernels.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.FloatBounds;
import servelab.kernels.Parallel;

class PackedPanelsTest {
    @BeforeAll
    static void needs256BitVectors() {
        assumeTrue(PackedPanels.supported(), "the packed kernels need 256-bit vectors");
    }

    private static float[] gaussian(int n, long seed) {
        var random = new SplittableRandom(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble(-1, 1) + random.nextDouble(-1, 1));
        }
        return values;
    }

    private static PackedPanels packed(WeightFormat format, int rows, int cols, long seed, Parallel parallel) {
        var w = MatMul.encode(format, gaussian(rows * cols, seed), rows, cols);
        return PackedPanels.pack(w, Arena.ofAuto(), parallel);
    }

    /**
     * Columns within one block, across a slab's edge (288 = 256 + 32) and over two; F16 and BF16 also end mid-vector.
     */
    private static int[] columnCounts(WeightFormat format) {
        return format.blockSize() == 32 ? new int[] {32, 288, 544} : new int[] {7, 70, 293};
    }

    private static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> what + ": expected " + expected + ", was " + actual);
    }

    /**
     * Every output of every batch size is the reference's fma chain, bit for bit: rows that fill no whole panel
     * (37 = 2 x 16 + 5, and 9 below one panel), an odd panel left over at batch 1 (three panels), columns across a
     * slab's edge (288 = 256 + 32) and within one block, groups of four inputs with one to three left over.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0", "F16", "BF16"})
    void everyBatchSizeGivesEachOutputTheReferenceChainsBits(WeightFormat format) {
        for (int rows : new int[] {9, 37, 48, 64}) {
            for (int cols : columnCounts(format)) {
                var w = packed(format, rows, cols, rows * 1000L + cols, Parallel.serial());
                for (int batch : new int[] {1, 2, 3, 4, 5, 7, 8, 9}) {
                    assertReferenceBits(w, rows, cols, batch, PackedPanels.WIDE);
                }
            }
        }
    }

    /**
     * The 512-bit kernels of batches 1 to 8 give the same bits as the 256-bit ones and the tile, whichever this
     * machine runs by default (without AVX-512 the Vector API emulates them: slow, still exact): four panels at a
     * time with one to three left over (5, 6 and 7 panels), two with one left over, eight inputs padded from three
     * and five.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0", "F16", "BF16"})
    void bothVectorWidthsGiveTheReferenceChainsBits(WeightFormat format) {
        for (int rows : new int[] {9, 64, 80, 93, 112}) {
            for (int cols : columnCounts(format)) {
                var w = packed(format, rows, cols, rows * 1000L + cols + 1, Parallel.serial());
                for (int batch : new int[] {1, 2, 3, 5, 8}) {
                    assertReferenceBits(w, rows, cols, batch, true);
                    assertReferenceBits(w, rows, cols, batch, false);
                }
            }
        }
    }

    /**
     * F16 weights that are subnormal, zero of either sign, the largest finite half and its negative come out exact
     * through the in-register widening of the 512-bit batch-1 kernel; a matrix holding an infinity or a NaN takes
     * the widening loop instead and still gives the reference chain (NaN compared as NaN).
     */
    @Test
    void f16EdgeValuesWidenExactlyAtBothWidths() {
        int rows = 80; // five panels: one pass of four and one left over
        int cols = 70;
        var values = gaussian(rows * cols, 21);
        float[] edges = {0x1p-24f, -0x1p-24f, 3e-5f, -6.1e-5f, 0f, -0f, 65504f, -65504f, 6.104e-5f, 1e-7f};
        for (int i = 0; i < values.length; i += 7) values[i] = edges[(i / 7) % edges.length];
        for (float special : new float[] {1f, Float.POSITIVE_INFINITY, Float.NaN}) {
            values[rows * cols / 2] = special;
            var w = PackedPanels.pack(MatMul.encode(WeightFormat.F16, values, rows, cols), Arena.ofAuto(), Parallel.serial());
            for (boolean wide : new boolean[] {true, false}) {
                var x = gaussian(cols, 22);
                var out = new float[rows];
                w.matmul(x, 1, out, Parallel.serial(), wide);
                for (int r = 0; r < rows; r++) {
                    float expected = w.referenceDot(r, x, 0);
                    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[r]),
                            "weight " + special + (wide ? " (512-bit)" : " (256-bit)") + " row " + r + ": expected "
                                    + expected + ", was " + out[r]);
                }
            }
        }
    }

    /**
     * F16's streaming kernels (batches 1 to 8) take the widening's 2^112 in the input: still the reference's bits for
     * subnormal and largest weights, subnormal and tiny inputs and the largest input below 2^16 (scaled, still finite);
     * from 2^16 up, and for an infinity or NaN in any of the batch's rows, the input cannot carry the factor, and the
     * batch goes through the tile, the same bits again.
     */
    /** The packed bytes are open to benchmarks read-only: a Q8_0 panel's first scale, and no way to change it. */
    @Test
    void packedBytesAreReadOnly() {
        var values = new float[16 * 32];
        Arrays.fill(values, 0.5f);
        var w = PackedPanels.pack(MatMul.encode(WeightFormat.Q8_0, values, 16, 32), Arena.ofAuto(), Parallel.serial());
        var data = w.data();
        assertEquals(w.byteSize(), data.byteSize());
        assertEquals(0.5f / 127, data.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0), 1e-6f);
        assertThrows(IllegalArgumentException.class, // the JDK's answer to a write into a read-only segment
                () -> data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1));
    }

    @Test
    void f16SmallBatchesTakeInputsOfEveryMagnitude() {
        int rows = 80;
        int cols = 70;
        var values = gaussian(rows * cols, 25);
        float[] edges = {0x1p-24f, -0x1p-24f, 3e-5f, 0f, -0f, 65504f, -65504f, 1e-7f};
        for (int i = 0; i < values.length; i += 5) values[i] = edges[(i / 5) % edges.length];
        var w = PackedPanels.pack(MatMul.encode(WeightFormat.F16, values, rows, cols), Arena.ofAuto(), Parallel.serial());
        float[] small = {1e-40f, -0x1p-149f, 0x1p-126f, 0x1.fffffep15f, -0x1.fffffep15f, 1e-30f, 0f, -0f};
        for (int batch : new int[] {1, 2, 3, 8}) {
            var carried = gaussian(batch * cols, 26 + batch);
            for (int i = 0; i < small.length; i++) carried[(3 + 9 * i + 31 * i) % carried.length] = small[i];
            assertNotNull(w.smallBatchInput(carried, batch * cols), "inputs below 2^16 carry the factor");
            for (float big : new float[] {0x1p16f, -0x1p16f, 1e30f, Float.POSITIVE_INFINITY, Float.NaN}) {
                var x = carried.clone();
                x[(batch - 1) * cols + 40] = big; // in the batch's last row
                assertNull(w.smallBatchInput(x, batch * cols), big + " cannot carry the factor");
                assertSmallBatchBits(w, rows, cols, batch, x, "input " + big);
            }
            assertSmallBatchBits(w, rows, cols, batch, carried, "inputs below 2^16");
        }
    }

    private static void assertSmallBatchBits(PackedPanels w, int rows, int cols, int batch, float[] x, String what) {
        for (boolean wide : new boolean[] {true, false}) {
            var out = new float[batch * rows];
            w.matmul(x, batch, out, Parallel.serial(), wide);
            for (int t = 0; t < batch; t++) {
                for (int r = 0; r < rows; r++) {
                    assertBits(w.referenceDot(r, x, t * cols), out[t * rows + r], what + " batch " + batch
                            + (wide ? " (512-bit)" : " (256-bit)") + " out[" + t + "][" + r + "]");
                }
            }
        }
    }

    /**
     * BF16 weights widen exactly in registers whatever they are: subnormal, zero of either sign, the largest finite
     * values, infinities and NaN (compared as NaN), at both widths and batches 1 to 8 (no matrix goes to the tile
     * for its values, as an F16 one with an infinity does).
     */
    @Test
    void bf16EdgeValuesWidenExactlyAtBothWidths() {
        int rows = 80;
        int cols = 70;
        var values = gaussian(rows * cols, 23);
        float[] edges = {0x1p-133f, -0x1p-133f, 0x1p-126f, 0f, -0f, 0x1.FEp127f, -0x1.FEp127f, 3e-40f};
        for (int i = 0; i < values.length; i += 7) values[i] = edges[(i / 7) % edges.length];
        values[3 * cols + 5] = Float.POSITIVE_INFINITY; // one row each, so that the others stay finite
        values[50 * cols + 9] = Float.NaN;
        values[70 * cols + 1] = Float.NEGATIVE_INFINITY;
        var w = PackedPanels.pack(MatMul.encode(WeightFormat.BF16, values, rows, cols), Arena.ofAuto(), Parallel.serial());
        assertTrue(w.streamsSmallBatches(), "a BF16 matrix streams batches 1 to 8 whatever its values");
        for (boolean wide : new boolean[] {true, false}) {
            for (int batch : new int[] {1, 2, 4, 8}) {
                var x = gaussian(batch * cols, 24);
                for (int i = 0; i < x.length; i += 11) x[i] = 0f; // inf * 0 is NaN: some outputs are, others not
                var out = new float[batch * rows];
                w.matmul(x, batch, out, Parallel.serial(), wide);
                for (int t = 0; t < batch; t++) {
                    for (int r = 0; r < rows; r++) {
                        float expected = w.referenceDot(r, x, t * cols);
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[t * rows + r]),
                                (wide ? "512-bit" : "256-bit") + " batch " + batch + " out[" + t + "][" + r
                                        + "]: expected " + expected + ", was " + out[t * rows + r]);
                    }
                }
            }
        }
    }

    private static void assertReferenceBits(PackedPanels w, int rows, int cols, int batch, boolean wide) {
        var x = gaussian(batch * cols, batch);
        var out = new float[batch * rows];
        w.matmul(x, batch, out, Parallel.serial(), wide);
        for (int t = 0; t < batch; t++) {
            for (int r = 0; r < rows; r++) {
                assertBits(w.referenceDot(r, x, t * cols), out[t * rows + r], rows + "x" + cols + " batch " + batch
                        + (wide ? " (512-bit)" : " (256-bit)") + " out[" + t + "][" + r + "]");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0", "F16", "BF16"})
    void threadsSplitPanelsWithoutChangingAnyResult(WeightFormat format) {
        int rows = 200;
        int cols = 2048; // 36 or 64 KiB a panel: a chunk is one or two panels, so four threads get chunks
        var w = MatMul.encode(format, gaussian(rows * cols, 5), rows, cols);
        var serial = PackedPanels.pack(w, Arena.ofAuto(), Parallel.serial());
        var parallel = Parallel.of(4);
        var split = PackedPanels.pack(w, Arena.ofAuto(), parallel);
        for (int batch : new int[] {1, 6}) {
            var x = gaussian(batch * cols, 6);
            var one = new float[batch * rows];
            var four = new float[batch * rows];
            serial.matmul(x, batch, one, Parallel.serial());
            split.matmul(x, batch, four, parallel);
            for (int i = 0; i < one.length; i++) assertBits(one[i], four[i], "batch " + batch + " out[" + i + "]");
        }
    }

    /** The packed sums differ from {@link MatMul#reference}'s only in rounding order, within the usual bound. */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0", "F16", "BF16"})
    void matchesTheMatMulReferenceWithinTheSumOrderBound(WeightFormat format) {
        int rows = 40;
        int cols = 512;
        int batch = 3;
        var w = MatMul.encode(format, gaussian(rows * cols, 9), rows, cols);
        var x = gaussian(batch * cols, 10);
        var expected = new float[batch * rows];
        var actual = new float[batch * rows];
        MatMul.reference(w, x, batch, expected);
        PackedPanels.pack(w, Arena.ofAuto(), Parallel.serial()).matmul(x, batch, actual, Parallel.serial());
        var dense = new float[cols];
        for (int t = 0; t < batch; t++) {
            for (int r = 0; r < rows; r++) {
                MatMul.row(w, r, dense, 0);
                double absSum = 0;
                for (int c = 0; c < cols; c++) absSum += Math.abs((double) dense[c] * x[t * cols + c]);
                double bound = FloatBounds.sumOrder(cols + 2, absSum);
                int i = t * rows + r;
                assertTrue(Math.abs(expected[i] - actual[i]) <= bound,
                        () -> "out[" + i + "]: " + expected[i] + " vs " + actual[i] + ", bound " + bound);
            }
        }
    }

    /** Outputs past the batch and rows past the matrix are not written (the padded rows and inputs stay inside). */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0", "F16", "BF16"})
    void writesOnlyTheBatchsRealOutputs(WeightFormat format) {
        int rows = 21;
        int cols = 64;
        var w = packed(format, rows, cols, 11, Parallel.serial());
        for (int batch : new int[] {1, 3}) {
            var out = new float[batch * rows + 5];
            Arrays.fill(out, Float.NaN);
            w.matmul(gaussian(batch * cols, 12), batch, out, Parallel.serial());
            for (int i = 0; i < batch * rows; i++) assertTrue(!Float.isNaN(out[i]), "out[" + i + "] written");
            for (int i = batch * rows; i < out.length; i++) assertTrue(Float.isNaN(out[i]), "out[" + i + "] untouched");
        }
    }

    @Test
    void refusesOtherFormatsAndShortArrays() {
        var f32 = MatMul.encode(WeightFormat.F32, gaussian(16 * 32, 13), 16, 32);
        var e = assertThrows(IllegalArgumentException.class, () -> PackedPanels.pack(f32, Arena.ofAuto(), Parallel.serial()));
        assertTrue(e.getMessage().contains("F32"), e.getMessage());
        var f16 = MatMul.encode(WeightFormat.F16, gaussian(16 * 32, 13), 16, 32);
        var q8 = assertThrows(IllegalArgumentException.class, () -> PackedQ8.pack(f16, Arena.ofAuto(), Parallel.serial()));
        assertTrue(q8.getMessage().contains("F16"), q8.getMessage());
        var w = packed(WeightFormat.Q8_0, 16, 32, 14, Parallel.serial());
        var short_ = assertThrows(IllegalArgumentException.class,
                () -> w.matmul(new float[32], 2, new float[32], Parallel.serial()));
        assertTrue(short_.getMessage().contains("batch 2"), short_.getMessage());
    }

    /**
     * Q4_0's nibble panels (PackedQ4, chosen with -Dservelab.packed.q4=nibbles) give every output of every batch size,
     * at both vector widths, the reference chain's bits, which are the byte panels' (PackedQ8 unpacks each nibble to a
     * byte): rows that fill no whole panel, four panels at a time with one to three left over, a slab's edge.
     */
    @Test
    void q4NibblePanelsGiveTheReferenceAndTheBytePanelsBits() {
        for (int rows : new int[] {9, 37, 80, 112}) {
            for (int cols : new int[] {32, 288}) {
                var w = MatMul.encode(WeightFormat.Q4_0, gaussian(rows * cols, rows + cols), rows, cols);
                var nibbles = PackedQ4.pack(w, Arena.ofAuto(), Parallel.serial());
                var bytes = PackedQ8.pack(w, Arena.ofAuto(), Parallel.serial());
                for (int batch : new int[] {1, 2, 3, 5, 8, 9}) {
                    var x = gaussian(batch * cols, batch + 100);
                    for (boolean wide : new boolean[] {true, false}) {
                        assertReferenceBits(nibbles, rows, cols, batch, wide);
                        var a = new float[batch * rows];
                        var b = new float[batch * rows];
                        nibbles.matmul(x, batch, a, Parallel.serial(), wide);
                        bytes.matmul(x, batch, b, Parallel.serial(), wide);
                        for (int i = 0; i < a.length; i++) {
                            assertBits(b[i], a[i], rows + "x" + cols + " batch " + batch + (wide ? " 512" : " 256")
                                    + " out[" + i + "]");
                        }
                    }
                }
            }
        }
        // the byte panels unless nibbles are asked for (-Dservelab.packed.q4=nibbles); Q8_0 is never in nibbles
        var q4 = MatMul.encode(WeightFormat.Q4_0, gaussian(16 * 32, 4), 16, 32);
        assertTrue(PackedPanels.pack(q4, Arena.ofAuto(), Parallel.serial()) instanceof PackedQ8, "default: byte panels");
        assertTrue(PackedPanels.pack(q4, Arena.ofAuto(), Parallel.serial(), true) instanceof PackedQ4, "nibbles asked");
        var q8matrix = MatMul.encode(WeightFormat.Q8_0, gaussian(16 * 32, 4), 16, 32);
        assertTrue(PackedPanels.pack(q8matrix, Arena.ofAuto(), Parallel.serial(), true) instanceof PackedQ8, "Q8_0");
        // 320 bytes per panel and block of 32 columns: sixteen scales and 256 bytes of nibbles
        assertEquals(3L * 3 * 320, PackedQ4.pack(MatMul.encode(WeightFormat.Q4_0, gaussian(37 * 96, 15), 37, 96),
                Arena.ofAuto(), Parallel.serial()).byteSize());
        var q8 = MatMul.encode(WeightFormat.Q8_0, gaussian(16 * 32, 3), 16, 32);
        var e = assertThrows(IllegalArgumentException.class, () -> PackedQ4.pack(q8, Arena.ofAuto(), Parallel.serial()));
        assertTrue(e.getMessage().contains("Q8_0"), e.getMessage());
    }

    @Test
    void packedCopiesAreSixteenRowPanels() {
        // three panels (the last padded): Q8_0 and Q4_0 576 bytes per panel and block of 32 columns (Q4_0's nibbles
        // unpacked to bytes), F16 and BF16 32 bytes per column
        assertEquals(3L * 3 * 576, packed(WeightFormat.Q8_0, 37, 96, 15, Parallel.serial()).byteSize());
        assertEquals(3L * 3 * 576, packed(WeightFormat.Q4_0, 37, 96, 15, Parallel.serial()).byteSize());
        assertEquals(3L * 70 * 32, packed(WeightFormat.F16, 37, 70, 15, Parallel.serial()).byteSize());
        assertEquals(3L * 70 * 32, packed(WeightFormat.BF16, 37, 70, 15, Parallel.serial()).byteSize());
    }
}
