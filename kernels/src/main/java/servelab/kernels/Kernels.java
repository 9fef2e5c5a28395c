package servelab.kernels;

import servelab.kernels.attention.Attention;
import servelab.kernels.attention.AttentionShape;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.KvCache;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.ops.RmsNorm;
import servelab.kernels.ops.Rope;
import servelab.kernels.ops.Softmax;
import servelab.kernels.ops.SwiGlu;

/**
 * The kernel set a forward pass runs on: the scalar references, or the Vector API versions with a thread pool.
 * Both compute the same functions (see each kernel class); they differ only in float rounding order, by the bounds
 * their tests state. The bodies are the static methods of the kernel classes; this only picks one of each.
 */
public sealed interface Kernels {
    /** The scalar reference kernels, single-threaded. */
    static Kernels reference() {
        return new Reference();
    }

    /** The Vector API kernels; matmul and attention split work over {@code parallel}. */
    static Kernels vector(Parallel parallel) {
        return new Vector(parallel);
    }

    /** The Vector API kernels on one thread per available processor. */
    static Kernels vector() {
        return new Vector(Parallel.of(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * {@code base} with weight matmuls that {@code offload} handles run by it: the model's projections on an
     * accelerator, attention, norms and the rest on the CPU.
     */
    static Kernels offload(Kernels base, MatmulOffload offload) {
        return new Offloaded(base, offload);
    }

    /** The pool that callers may split independent work over (serial for the references). */
    Parallel parallel();

    /** {@code out[t][r] = W[r] . x[t]} for {@code batch} input rows; see {@link MatMul}. */
    void matmul(Matrix w, float[] x, int batch, float[] out);

    void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps);

    void rope(float[] v, int off, int heads, int headDim, int position, float[] freqs);

    void swiGlu(float[] gate, float[] up, int off, int n);

    void softmax(float[] x, int off, int n);

    /** Attention of one token's query heads of group {@code kvHead} over positions {@code 0..length-1}; see {@link Attention}. */
    void attention(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length, int kvHead,
                   float[] q, int qOff, float[] out, int outOff);

    /** Scalar references: {@link MatMul#reference}, {@link RmsNorm#reference}, ..., {@link Attention#reference}. */
    record Reference() implements Kernels {
        @Override public Parallel parallel() { return Parallel.serial(); }
        @Override public void matmul(Matrix w, float[] x, int batch, float[] out) { MatMul.reference(w, x, batch, out); }
        @Override public void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
            RmsNorm.reference(out, outOff, x, xOff, weight, n, eps);
        }
        @Override public void rope(float[] v, int off, int heads, int headDim, int position, float[] freqs) {
            Rope.reference(v, off, heads, headDim, position, freqs);
        }
        @Override public void swiGlu(float[] gate, float[] up, int off, int n) { SwiGlu.reference(gate, up, off, n); }
        @Override public void softmax(float[] x, int off, int n) { Softmax.reference(x, off, n); }
        @Override public void attention(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length,
                                        int kvHead, float[] q, int qOff, float[] out, int outOff) {
            Attention.reference(shape, cache, layer, address, length, kvHead, q, qOff, out, outOff);
        }
    }

    /** Vector API versions: {@link MatMul#vector}, {@link RmsNorm#vector}, ..., {@link Attention#tiled}. */
    record Vector(Parallel parallel) implements Kernels {
        @Override public void matmul(Matrix w, float[] x, int batch, float[] out) { MatMul.vector(w, x, batch, out, parallel); }
        @Override public void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
            RmsNorm.vector(out, outOff, x, xOff, weight, n, eps);
        }
        @Override public void rope(float[] v, int off, int heads, int headDim, int position, float[] freqs) {
            Rope.vector(v, off, heads, headDim, position, freqs);
        }
        @Override public void swiGlu(float[] gate, float[] up, int off, int n) { SwiGlu.vector(gate, up, off, n); }
        @Override public void softmax(float[] x, int off, int n) { Softmax.vector(x, off, n); }
        @Override public void attention(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length,
                                        int kvHead, float[] q, int qOff, float[] out, int outOff) {
            Attention.tiled(shape, cache, layer, address, length, kvHead, q, qOff, out, outOff);
        }
    }

    /** Matmuls of the matrices {@code offload} handles go to it; everything else to {@code base}. */
    record Offloaded(Kernels base, MatmulOffload offload) implements Kernels {
        @Override public Parallel parallel() { return base.parallel(); }

        @Override
        public void matmul(Matrix w, float[] x, int batch, float[] out) {
            if (offload.handles(w)) offload.matmul(w, x, batch, out); else base.matmul(w, x, batch, out);
        }

        @Override public void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
            base.rmsNorm(out, outOff, x, xOff, weight, n, eps);
        }
        @Override public void rope(float[] v, int off, int heads, int headDim, int position, float[] freqs) {
            base.rope(v, off, heads, headDim, position, freqs);
        }
        @Override public void swiGlu(float[] gate, float[] up, int off, int n) { base.swiGlu(gate, up, off, n); }
        @Override public void softmax(float[] x, int off, int n) { base.softmax(x, off, n); }
        @Override public void attention(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length,
                                        int kvHead, float[] q, int qOff, float[] out, int outOff) {
            base.attention(shape, cache, layer, address, length, kvHead, q, qOff, out, outOff);
        }
    }
}
