package servelab.kernels.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.FloatBounds;
import servelab.kernels.Parallel;

class MatMulTest {
    private static final int ROWS = 37;
    private static final int BATCH = 3;

    private static float[] gaussian(int n, long seed) {
        var random = new SplittableRandom(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble(-1, 1) + random.nextDouble(-1, 1));
        }
        return values;
    }

    /** Columns that exercise vector bodies and scalar tails; block formats need multiples of 32. */
    private static int[] columnCounts(WeightFormat format) {
        return format.blockSize() == 1 ? new int[] {7, 70, 256, 1000} : new int[] {32, 96, 512};
    }

    private static float[] dequantized(Matrix w) {
        var dense = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            MatMul.row(w, r, dense, r * w.cols());
        }
        return dense;
    }

    /** The bound of {@link FloatBounds#sumOrder} for every output, from the dequantized weights. */
    private static void assertWithinSumOrderBound(float[] dense, float[] x, int rows, int cols, float[] expected, float[] actual) {
        for (int t = 0; t < BATCH; t++) {
            for (int r = 0; r < rows; r++) {
                double absSum = 0;
                for (int c = 0; c < cols; c++) {
                    absSum += Math.abs((double) dense[r * cols + c] * x[t * cols + c]);
                }
                // +2: the block formats also round the block sum times its scale, and the scale times the sum
                double bound = FloatBounds.sumOrder(cols + 2, absSum);
                int i = t * rows + r;
                assertTrue(Math.abs(expected[i] - actual[i]) <= bound,
                        () -> "out[" + i + "]: " + expected[i] + " vs " + actual[i] + ", bound " + bound);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void vectorMatchesReferenceWithinSummationOrderBound(WeightFormat format) {
        for (int cols : columnCounts(format)) {
            var w = MatMul.encode(format, gaussian(ROWS * cols, 1), ROWS, cols);
            var x = gaussian(BATCH * cols, 2);
            var reference = new float[BATCH * ROWS];
            var vector = new float[BATCH * ROWS];
            MatMul.reference(w, x, BATCH, reference);
            MatMul.vector(w, x, BATCH, vector, Parallel.serial());
            assertWithinSumOrderBound(dequantized(w), x, ROWS, cols, reference, vector);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void quantizedMatVecEqualsDequantizeThenMultiply(WeightFormat format) {
        for (int cols : columnCounts(format)) {
            var w = MatMul.encode(format, gaussian(ROWS * cols, 3), ROWS, cols);
            var dense = dequantized(w);
            var x = gaussian(BATCH * cols, 4);
            var viaF32 = new float[BATCH * ROWS];
            MatMul.reference(MatMul.encode(WeightFormat.F32, dense, ROWS, cols), x, BATCH, viaF32);
            var direct = new float[BATCH * ROWS];
            MatMul.reference(w, x, BATCH, direct);
            assertWithinSumOrderBound(dense, x, ROWS, cols, viaF32, direct);
            MatMul.vector(w, x, BATCH, direct, Parallel.serial());
            assertWithinSumOrderBound(dense, x, ROWS, cols, viaF32, direct);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void threadsSplitRowsWithoutChangingAnyResult(WeightFormat format) {
        int rows = 1024;
        int cols = 256;
        var w = MatMul.encode(format, gaussian(rows * cols, 5), rows, cols);
        var x = gaussian(2 * cols, 6);
        var serial = new float[2 * rows];
        var threaded = new float[2 * rows];
        MatMul.vector(w, x, 2, serial, Parallel.serial());
        MatMul.vector(w, x, 2, threaded, Parallel.of(3));
        // each output is computed by exactly one thread with the same code, so the results are bit-identical
        assertArrayEquals(serial, threaded);
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void aRowsResultDoesNotDependOnTheBatchItIsIn(WeightFormat format) {
        int cols = 96;
        var w = MatMul.encode(format, gaussian(ROWS * cols, 8), ROWS, cols);
        var x = gaussian(7 * cols, 9);
        var batched = new float[7 * ROWS];
        // 7 rows: one group of four (quantized formats decode each block once for them) and three single rows
        MatMul.vector(w, x, 7, batched, Parallel.serial());
        for (int t = 0; t < 7; t++) {
            var single = new float[ROWS];
            MatMul.vector(w, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, single, Parallel.serial());
            assertArrayEquals(single, java.util.Arrays.copyOfRange(batched, t * ROWS, (t + 1) * ROWS), "input row " + t);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void tilesOfRowsAndInputsDoNotChangeAnyResult(WeightFormat format) {
        // 2048 columns: a tile holds fewer than 130 rows in every format, and 37 inputs are two input tiles, so
        // rows and inputs both cross tile boundaries; each input row alone must give the same bits
        int rows = 130;
        int cols = 2048;
        int batch = 37;
        var w = MatMul.encode(format, gaussian(rows * cols, 10), rows, cols);
        var x = gaussian(batch * cols, 11);
        var batched = new float[batch * rows];
        MatMul.vector(w, x, batch, batched, Parallel.of(2));
        for (int t : new int[] {0, 3, 31, 32, 36}) {
            var single = new float[rows];
            MatMul.vector(w, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, single, Parallel.serial());
            assertArrayEquals(single, java.util.Arrays.copyOfRange(batched, t * rows, (t + 1) * rows), "input row " + t);
        }
        var reference = new float[batch * rows];
        MatMul.reference(w, x, batch, reference);
        var dense = dequantized(w);
        for (int t = 0; t < batch; t++) {
            for (int r = 0; r < rows; r++) {
                double absSum = 0;
                for (int c = 0; c < cols; c++) {
                    absSum += Math.abs((double) dense[r * cols + c] * x[t * cols + c]);
                }
                int i = t * rows + r;
                assertTrue(Math.abs(reference[i] - batched[i]) <= FloatBounds.sumOrder(cols + 2, absSum), "out[" + i + "]");
            }
        }
    }

    @Test
    void quantizedBatchesPadThreeLeftoverInputsToAGroupOfFour() {
        // 1 and 2: pairs of rows, no group; 3: one padded group; one leftover stays single, two go two rows by two
        // inputs, three are padded
        int[] expected = {0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3};
        for (int batch = 1; batch <= 11; batch++) {
            assertEquals(expected[batch - 1], MatMul.groupsOfFour(batch), "batch " + batch);
        }
        // the padded inputs are zeros, whatever the thread's buffer held before
        MatMul.pack4(gaussian(8 * 64, 3), 8, 64, 2);
        var x = gaussian(3 * 64, 4);
        var packed = MatMul.pack4(x, 3, 64, 1);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 32; j++) {
                for (int i = 0; i < 3; i++) assertEquals(x[i * 64 + b * 32 + j], packed[b * 128 + i * 32 + j]);
                assertEquals(0f, packed[b * 128 + 3 * 32 + j]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void registerTileEdgesGiveEachOutputTheSingleDotsBits(WeightFormat format) {
        // quantized rows go one by four inputs, float rows four by two: rows 1..9 and batches 1..9 leave every
        // remainder of both; columns with and without a vector tail (float formats) or an odd block count, and
        // (1100) a second column panel shorter than the first
        int[] colsList = format.blockSize() == 1 ? new int[] {16, 70, 200, 1100} : new int[] {32, 96};
        for (int cols : colsList) {
            for (int rows = 1; rows <= 9; rows++) {
                var w = MatMul.encode(format, gaussian(rows * cols, 20 + rows), rows, cols);
                for (int batch = 1; batch <= 9; batch++) {
                    var x = gaussian(batch * cols, 40 + batch);
                    var out = new float[batch * rows];
                    MatMul.vector(w, x, batch, out, Parallel.serial());
                    for (int t = 0; t < batch; t++) {
                        for (int r = 0; r < rows; r++) {
                            float single = singleDot(w, r, x, t * cols);
                            assertEquals(Float.floatToRawIntBits(single), Float.floatToRawIntBits(out[t * rows + r]),
                                    format + " cols " + cols + " rows " + rows + " batch " + batch + " out[" + t + "][" + r + "]");
                        }
                    }
                }
            }
        }
    }

    /**
     * The one-output vector dot the matmul must match bit for bit: the format's own for Q8_0, Q4_0 and F32; for F16
     * and BF16 the F32 dot over the exactly widened row (the matmul widens rows once per tile, or at batch 1 in
     * registers with the same operations).
     */
    private static float singleDot(Matrix w, int r, float[] x, int xOff) {
        return switch (w.format()) {
            case F16, BF16 -> {
                var row = new float[w.cols()];
                MatMul.row(w, r, row, 0);
                yield F32.dotVector(row, 0, x, xOff, w.cols());
            }
            case F32, Q8_0, Q4_0 -> MatMul.dotVector(w.format(), w.data(), w.rowOffset(r), x, xOff, w.cols());
        };
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0"})
    void twoByTwoQuantizedTileGivesEachOutputTheSingleDotsBits(WeightFormat format) {
        // rows apart by any distance, inputs apart by any stride, outputs at any row and input strides
        int cols = 96;
        int rows = 7;
        var w = MatMul.encode(format, gaussian(rows * cols, 5), rows, cols);
        var x = gaussian(3 * cols + 10, 6);
        for (int apart = 1; apart < rows; apart++) {
            var out = new float[64];
            var lanes = new float[4 * Lanes.L];
            long distance = apart * w.rowBytes();
            int xOff = 3;
            int xStride = cols + 7;
            if (format == WeightFormat.Q8_0) {
                Q8_0.rows2x2(w.data(), w.rowOffset(0), distance, x, xOff, xStride, cols, out, 2, 5, 11, lanes);
            } else {
                Q4_0.rows2x2(w.data(), w.rowOffset(0), distance, x, xOff, xStride, cols, out, 2, 5, 11, lanes);
            }
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 2; k++) {
                    float single = MatMul.dotVector(format, w.data(), w.rowOffset(k * apart), x, xOff + i * xStride, cols);
                    assertEquals(Float.floatToRawIntBits(single), Float.floatToRawIntBits(out[2 + i * 11 + k * 5]),
                            format + " apart " + apart + " input " + i + " row " + k);
                }
            }
        }
    }

    @Test
    void floatRegisterTileMatchesEightSingleDots() {
        // every length from one vector to past four groups of four, with and without a scalar tail
        for (int n = 1; n <= 4 * 4 * Lanes.L + 3; n++) {
            var w = gaussian(4 * n, n);
            var x = gaussian(2 * (n + 5), 1000 + n);
            var out = new float[2 * 9];
            F32.dots4x2(w, n, x, 2, n + 5, out, 1, 9, new float[F32.PARTIAL_4X2]);
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 4; k++) {
                    float single = F32.dotVector(w, k * n, x, 2 + i * (n + 5), n);
                    assertEquals(Float.floatToRawIntBits(single), Float.floatToRawIntBits(out[1 + i * 9 + k]),
                            "n " + n + " input " + i + " row " + k);
                }
            }
        }
    }

    /** Same bits, except that any NaN matches any NaN (the CPU's conversion may quiet a signalling NaN's payload). */
    private static void assertSameFloat(float expected, float actual, String what) {
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what);
        } else {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
        }
    }

    @Test
    void f16AndBf16RowWideningIsExact() {
        var random = new SplittableRandom(12);
        int n = 1000;
        var data = java.lang.foreign.MemorySegment.ofArray(new byte[2 * n + 2]);
        for (int j = 0; j < n + 1; j++) {
            data.set(Lanes.SHORT_LE, 2L * j, (short) random.nextInt(1 << 16));
        }
        var f16 = new float[n];
        var bf16 = new float[n];
        // from byte 2: an odd half offset, as a row inside a tensor may start
        F16.widenRow(data, 2, f16, n);
        BF16.widenRow(data, 2, bf16, n);
        for (int j = 0; j < n; j++) {
            short bits = data.get(Lanes.SHORT_LE, 2L * (j + 1));
            assertSameFloat(Float.float16ToFloat(bits), f16[j], "f16 " + j);
            assertSameFloat(BF16.toFloat(bits), bf16[j], "bf16 " + j);
        }
    }

    @Test
    void f16VectorWideningIsExactForEveryHalf() {
        var halves = new short[65536];
        for (int h = 0; h < halves.length; h++) {
            halves[h] = (short) h;
        }
        for (int start = 0; start < halves.length; start += Lanes.L) {
            var widened = F16.widen(jdk.incubator.vector.ShortVector.fromArray(Lanes.S, halves, start));
            for (int lane = 0; lane < Lanes.L; lane++) {
                int h = start + lane;
                float expected = Float.float16ToFloat((short) h);
                float actual = widened.lane(lane);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(actual), "half 0x" + Integer.toHexString(h));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "half 0x" + Integer.toHexString(h));
                }
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1f, BF16.toFloat(BF16.fromFloat(1f)));
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1
        assertEquals(1f, BF16.toFloat(BF16.fromFloat(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, BF16.toFloat(BF16.fromFloat(1f + 0x1p-7f + 0x1p-8f)));
        assertTrue(Float.isNaN(BF16.toFloat(BF16.fromFloat(Float.NaN))));
    }

    @Test
    void q8RoundTripErrsByAtMostHalfAStep() {
        var values = gaussian(64, 7);
        var w = MatMul.encode(WeightFormat.Q8_0, values, 1, 64);
        var back = new float[64];
        MatMul.row(w, 0, back, 0);
        for (int b = 0; b < 2; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(values[b * 32 + j]));
            }
            // the step is d = amax / 127 (itself rounded to f16, relative error 2^-11)
            double step = amax / 127.0 * (1 + 0x1p-10);
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                assertTrue(Math.abs(values[i] - back[i]) <= step / 2 + amax * 0x1p-10, "weight " + i);
            }
        }
    }

    @Test
    void q4UsesLowNibblesForTheFirstHalfOfABlock() {
        // d = 1 (f16 0x3c00); byte j holds low nibble 8 + 1 (weight j = 1) and high nibble 8 - 2 (weight j+16 = -2)
        var data = java.lang.foreign.MemorySegment.ofArray(new byte[18]);
        data.set(Lanes.SHORT_LE, 0, (short) 0x3c00);
        for (int j = 0; j < 16; j++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2 + j, (byte) (9 | 6 << 4));
        }
        var w = new Matrix(WeightFormat.Q4_0, data, 1, 32);
        var row = new float[32];
        MatMul.row(w, 0, row, 0);
        for (int j = 0; j < 16; j++) {
            assertEquals(1f, row[j]);
            assertEquals(-2f, row[16 + j]);
        }
    }
}
