package servelab.kernels.ops;

import static servelab.kernels.Vectors.F;
import static servelab.kernels.Vectors.L;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.Vectors;

/** RMSNorm: {@code out[i] = weight[i] * x[i] / sqrt(mean(x^2) + eps)} over {@code n} values. {@code out} may be {@code x}. */
public final class RmsNorm {
    private RmsNorm() {}

    /** Reference: the sum of squares in order, then one scale per element. */
    public static void reference(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float sumOfSquares = 0f;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x[xOff + i] * x[xOff + i];
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = weight[i] * (scale * x[xOff + i]);
        }
    }

    /** Vector API version of {@link #reference}; only the order of the sum of squares differs. */
    public static void vector(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        var acc = FloatVector.zero(F);
        int i = 0;
        for (int end = n - L; i <= end; i += L) {
            var v = FloatVector.fromArray(F, x, xOff + i);
            acc = v.fma(v, acc);
        }
        float sumOfSquares = Vectors.sum(acc);
        for (; i < n; i++) {
            sumOfSquares += x[xOff + i] * x[xOff + i];
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares / n + eps));
        i = 0;
        for (int end = n - L; i <= end; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(scale).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = weight[i] * (scale * x[xOff + i]);
        }
    }
}
