package servelab.kernels.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

import jdk.incubator.vector.FloatVector;

class Int8ActivationsTest {

    /** llama.cpp's rounding: half away from zero, d = max|x| / 127 kept as a half float, an all-zero block all 0. */
    @Test
    void quantizesAsLlamaCpp() {
        var x = new float[64];
        x[0] = 127f;      // d = 1, so each value is its own quant
        x[1] = 2.5f;      // half away from zero: 3, not Math.round's 3 nor rint's 2
        x[2] = -2.5f;     // -3, where Math.round gives -2
        x[3] = 0.49999997f;
        x[4] = -126.5f;
        var q = new short[64];
        var d = new float[2];
        Int8Activations.quantize(x, q, d);
        assertEquals(1f, d[0]);
        assertEquals(127, q[0]);
        assertEquals(3, q[1]);
        assertEquals(-3, q[2]);
        assertEquals(0, q[3]);
        assertEquals(-127, q[4]);
        assertEquals(0f, d[1]); // the second block is all zeros
        for (int j = 32; j < 64; j++) assertEquals(0, q[j]);
        var y = new float[32];
        y[0] = 1f; // d = 1/127, not a half float: rounded to one
        var one = new float[1];
        Int8Activations.quantize(y, q, one);
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(1f / 127f)), one[0]);
        assertTrue(one[0] != 1f / 127f, "1/127 is not a half float");
        assertEquals(127, q[0]);
    }

    /**
     * Every row of the vector kernel is the reference's integer block sums, bit for bit, for rows that fill four
     * panels, one, and a part of one; and the result is within the activations' quantization error of the float
     * reference.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 64, 256", "Q8_0, 93, 512", "Q4_0, 64, 256", "Q4_0, 93, 512", "Q4_0, 16, 64"})
    void kernelIsTheReferenceBitForBit(WeightFormat format, int rows, int cols) {
        assumeTrue(FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512, "written for AVX-512");
        var random = new SplittableRandom(7);
        var heap = MatMul.encode(format, MatMulCpuTime.weights(random, rows * cols, 1), rows, cols);
        try (var arena = Arena.ofConfined()) {
            var data = arena.allocate(heap.data().byteSize(), 64);
            data.copyFrom(heap.data());
            var w = new Matrix(format, data, rows, cols);
            var kernel = Int8Activations.pack(w, arena);
            var x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) random.nextDouble(-3, 3);
            x[5] = 0f;
            var out = new float[rows];
            kernel.matvec(x, out);
            var q = new short[cols];
            var d = new float[cols / 32];
            Int8Activations.quantize(x, q, d);
            var expected = new float[rows];
            for (int r = 0; r < rows; r++) expected[r] = kernel.referenceDot(r, q, d);
            assertArrayEquals(expected, out);
            var exact = new float[rows];
            MatMul.reference(w, x, 1, exact);
            double error = 0;
            double norm = 0;
            for (int r = 0; r < rows; r++) {
                error += Math.abs(out[r] - exact[r]);
                norm += Math.abs(exact[r]);
            }
            assertTrue(error / norm < 0.02, "relative error " + error / norm);
            assertTrue(error > 0, "int8 activations change the sums");
        }
    }

    /** The largest quants meet the largest activations without overflowing 16-bit lanes. */
    @ParameterizedTest
    @CsvSource({"Q8_0", "Q4_0"})
    void extremeValuesDoNotOverflow(WeightFormat format) {
        assumeTrue(FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512, "written for AVX-512");
        int rows = 16;
        int cols = 64;
        var values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (i / cols) % 2 == 0 ? -1f : 1f;
        var heap = MatMul.encode(format, values, rows, cols);
        try (var arena = Arena.ofConfined()) {
            var data = arena.allocate(heap.data().byteSize(), 64);
            data.copyFrom(heap.data());
            var kernel = Int8Activations.pack(new Matrix(format, data, rows, cols), arena);
            var x = new float[cols];
            java.util.Arrays.fill(x, -1f);
            var out = new float[rows];
            kernel.matvec(x, out);
            var q = new short[cols];
            var d = new float[2];
            Int8Activations.quantize(x, q, d);
            for (int r = 0; r < rows; r++) {
                assertEquals(kernel.referenceDot(r, q, d), out[r], "row " + r);
                assertEquals(r % 2 == 0 ? cols : -cols, out[r], cols * 0.01, "row " + r);
            }
        }
    }

    @Test
    void refusesOtherFormats() {
        var heap = MatMul.encode(WeightFormat.F16, new float[32], 1, 32);
        assertThrows(IllegalArgumentException.class, () -> Int8Activations.pack(heap, Arena.ofAuto()));
    }
}
