package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Kernel bodies in the form TornadoVM compiles to OpenCL, PTX or SPIR-V: the outer loop over output rows carries
 * {@link Parallel} (one device thread per row), and the inner loop is the scalar reference's, operation for
 * operation ({@link servelab.kernels.matmul.F32#dot}, {@link servelab.kernels.matmul.Q8_0#dot},
 * {@link servelab.kernels.ops.RmsNorm#reference}), over TornadoVM's off-heap arrays instead of Java arrays and
 * memory segments. Without a device they also run as plain Java, which is what the tests compare first.
 */
public final class TornadoKernels {
    private TornadoKernels() {}

    /** {@code out[r] = sum_c w[r * cols + c] * x[c]}, F32 weights. */
    public static void matVecF32(FloatArray w, FloatArray x, FloatArray out, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            float sum = 0f;
            for (int c = 0; c < cols; c++) {
                sum += w.get(r * cols + c) * x.get(c);
            }
            out.set(r, sum);
        }
    }

    /**
     * Q8_0 weights, GGUF's {@code struct { f16 d; int8 qs[32]; }} blocks, {@code cols / 32} per row: per block
     * {@code d * sum_j qs[j] * x[j]}, blocks summed in order.
     */
    public static void matVecQ8_0(ByteArray w, FloatArray x, FloatArray out, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            int blocks = cols / 32;
            float sum = 0f;
            for (int b = 0; b < blocks; b++) {
                int block = (r * blocks + b) * 34;
                float d = halfToFloat((w.get(block) & 0xff) | (w.get(block + 1) & 0xff) << 8);
                float blockSum = 0f;
                for (int j = 0; j < 32; j++) {
                    blockSum += w.get(block + 2 + j) * x.get(b * 32 + j);
                }
                sum += d * blockSum;
            }
            out.set(r, sum);
        }
    }

    /** RMSNorm of one row of {@code n}: the reference's sum of squares in order, then one scale per element. */
    public static void rmsNorm(FloatArray out, FloatArray x, FloatArray weight, int n, float eps) {
        float sumOfSquares = 0f;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x.get(i) * x.get(i);
        }
        float scale = 1f / (float) Math.sqrt(sumOfSquares / n + eps);
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, weight.get(i) * (scale * x.get(i)));
        }
    }

    /**
     * IEEE binary16 bits to float with integer operations and exact float multiplies only: TornadoVM's OpenCL backend
     * cannot compile {@code Float.intBitsToFloat} (a reinterpret), and compiles {@code Float.float16ToFloat} to a
     * numeric conversion. Normal numbers are {@code (1024 + m) * 2^e * 2^-25}, subnormals {@code m * 2^-24}, every
     * step exact; NaN is made as {@code inf * 0} because a {@code Float.NaN} literal does not compile either.
     */
    static float halfToFloat(int h) {
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 5.9604645e-8f;
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.POSITIVE_INFINITY * (mantissa * 0f);
        } else {
            magnitude = (1024 + mantissa) * (float) (1 << exponent) * 2.9802322e-8f;
        }
        return (h & 0x8000) != 0 ? -magnitude : magnitude;
    }
}
