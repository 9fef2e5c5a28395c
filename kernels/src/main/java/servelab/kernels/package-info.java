/**
 * CPU kernels for a Llama-family transformer, the GGUF files that hold one, and the model that runs on them.
 *
 * <p>Every kernel is a plain static method over float arrays and memory segments, in two versions: a scalar
 * reference that says what is computed, and a Vector API version (multi-threaded where it pays) that a test compares
 * with it within a stated bound. {@link servelab.kernels.Kernels} picks one set for a forward pass;
 * {@link servelab.kernels.Parallel} is the small fixed pool the vector versions split rows over;
 * {@link servelab.kernels.Vectors} holds the lane operations whose results do not depend on JIT tier.
 *
 * <ul>
 *   <li>{@link servelab.kernels.matmul}: matmul over F32, F16, BF16, Q8_0 and Q4_0 weights</li>
 *   <li>{@link servelab.kernels.ops}: RMSNorm, RoPE with Llama 3 scaling, SwiGLU, softmax</li>
 *   <li>{@link servelab.kernels.attention}: grouped-query attention over contiguous and paged KV caches</li>
 *   <li>{@link servelab.kernels.gguf}: GGUF v3 reader (mapped, checked slices) and writer</li>
 *   <li>{@link servelab.kernels.tokenizer}: Llama 3 byte-level BPE and chat template</li>
 *   <li>{@link servelab.kernels.model}: the model, its batched forward step and a random-weight model writer</li>
 *   <li>{@link servelab.kernels.sample}: sampling and speculative verification</li>
 * </ul>
 *
 * {@snippet :
 * Kernels reference = Kernels.reference();                     // scalar, one thread
 * Kernels fast = Kernels.vector(Parallel.of(2));               // Vector API, rows over two threads
 * fast.matmul(weights, x, 8, out);                             // eight input rows, one pass over the weights
 * fast.rmsNorm(out, 0, x, 0, gamma, 4096, 1e-5f);
 * }
 */
package servelab.kernels;
