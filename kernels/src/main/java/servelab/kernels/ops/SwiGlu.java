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

    /** Vector API version with {@link Vectors#exp}. */
    public static void vector(float[] gate, float[] up, int off, int n) {
        int i = off;
        for (int end = off + n - L; i <= end; i += L) {
            var g = FloatVector.fromArray(F, gate, i);
            var silu = g.div(Vectors.exp(g.neg()).add(1f));
            silu.mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < off + n; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
    }
}
