package servelab.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.WeightFormat;

/** Every device kernel against the Java reference. Built and run only with -Ptornadovm and a TornadoVM SDK. */
class TornadoKernelsTest {
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "Q8_0"})
    void deviceMatVecMatchesTheReference(WeightFormat format) {
        int rows = 256;
        int cols = 512;
        var random = new SplittableRandom(1);
        var dense = new float[rows * cols];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = (float) random.nextDouble(-1, 1);
        }
        var w = MatMul.encode(format, dense, rows, cols);
        var x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        var expected = new float[rows];
        MatMul.reference(w, x, 1, expected);
        var actual = new float[rows];
        try (var onDevice = new TornadoMatVec(w)) {
            onDevice.multiply(x, actual);
        }
        // the device sums in the reference's order, but may contract a * b + c into one fma: a few ulp of the row sum
        for (int r = 0; r < rows; r++) {
            assertEquals(expected[r], actual[r], 1e-4f * Math.max(1f, Math.abs(expected[r])), "row " + r);
        }
    }

    @org.junit.jupiter.api.Test
    void theDeviceSafeHalfDecodeEqualsTheJdksForAllBitPatterns() {
        for (int h = 0; h < 1 << 16; h++) {
            float expected = Float.float16ToFloat((short) h);
            float actual = TornadoKernels.halfToFloat(h);
            if (Float.isNaN(expected)) {
                org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(actual), "bits " + Integer.toHexString(h));
            } else {
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "bits " + Integer.toHexString(h));
            }
        }
    }
}
