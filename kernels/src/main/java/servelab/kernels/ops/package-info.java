/**
 * The element-wise and per-row kernels of a Llama block: {@link servelab.kernels.ops.RmsNorm},
 * {@link servelab.kernels.ops.Rope} (with {@link servelab.kernels.ops.RopeScaling}, Llama 3.1's frequency scaling),
 * {@link servelab.kernels.ops.SwiGlu} and {@link servelab.kernels.ops.Softmax}, each as {@code reference} and
 * {@code vector}.
 *
 * {@snippet :
 * float[] freqs = Rope.frequencies(64, 500000, RopeScaling.llama32().divisors(64, 500000));
 * Rope.vector(q, 0, 32, 64, position, freqs);        // rotate 32 heads of 64 at `position`
 * RmsNorm.vector(out, 0, x, 0, weight, 2048, 1e-5f);
 * SwiGlu.vector(gate, up, 0, 8192);                  // gate = silu(gate) * up
 * Softmax.vector(scores, 0, length);
 * }
 */
package servelab.kernels.ops;
