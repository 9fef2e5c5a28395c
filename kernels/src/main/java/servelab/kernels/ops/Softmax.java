package servelab.kernels.ops;

import static servelab.kernels.Vectors.F;
import static servelab.kernels.Vectors.L;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.Vectors;

/** Softmax in place over {@code x[off..off+n)}: {@code exp(x_i - max) / sum_j exp(x_j - max)}. */
public final class Softmax {
    private Softmax() {}

    /** Reference: {@link Math#exp}, sums in order, one division per element. */
    public static void reference(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] /= sum;
        }
    }

    /** Vector API version of {@link #reference} with {@link Vectors#exp} and a multiply by the reciprocal. */
    public static void vector(float[] x, int off, int n) {
        var maxAcc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int end = n - L; i <= end; i += L) {
            maxAcc = maxAcc.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = Vectors.max(maxAcc);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        var sumAcc = FloatVector.zero(F);
        i = 0;
        for (int end = n - L; i <= end; i += L) {
            var e = Vectors.exp(FloatVector.fromArray(F, x, off + i).sub(max));
            e.intoArray(x, off + i);
            sumAcc = sumAcc.add(e);
        }
        float sum = Vectors.sum(sumAcc);
        for (; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        float inverse = 1f / sum;
        i = 0;
        for (int end = n - L; i <= end; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(inverse).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inverse;
        }
    }
}
