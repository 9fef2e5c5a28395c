package servelab.kernels.ops;

import static servelab.kernels.Vectors.F;
import static servelab.kernels.Vectors.L;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.Vectors;

/** SwiGLU in place: {@code gate[i] = silu(gate[i]) * up[i]} with {@code silu(g) = g / (1 + e^-g)}. */
public final class SwiGlu {
    private SwiGlu() {}

    /** Reference with {@link Math#exp}. */
    public static void reference(float[] gate, float[] up, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
    }

    /**
     * Vector API version with {@link Vectors#exp}. The last partial vector is masked, not left to a scalar loop, so that
     * every element is computed the same way wherever it falls: a batched step calls this over all its tokens' rows at
     * once, and with a scalar tail an element's bits depended on how many rows the step had.
     */
    public static void vector(float[] gate, float[] up, int off, int n) {
        int end = off + n;
        int i = off;
        for (int full = end - L; i <= full; i += L) {
            var g = FloatVector.fromArray(F, gate, i);
            silu(g).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        if (i < end) {
            var m = F.indexInRange(i, end);
            var g = FloatVector.fromArray(F, gate, i, m);
            silu(g).mul(FloatVector.fromArray(F, up, i, m)).intoArray(gate, i, m);
        }
    }

    private static FloatVector silu(FloatVector g) {
        // below -88, e^-g is past float's range (Vectors.exp clamps it to e^88, which made silu(-3e38) -1.8): silu(g) =
        // g e^g is then under 6e-37 in magnitude (a subnormal down to about -104), and -0.0 is within that of it
        return g.div(Vectors.exp(g.neg()).add(1f)).blend(g.mul(0f), g.lt(-88f));
    }
}
