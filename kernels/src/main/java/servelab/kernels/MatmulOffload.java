package servelab.kernels;

import servelab.kernels.matmul.Matrix;

/**
 * Weight matmuls run somewhere else (an accelerator through TornadoVM): {@link Kernels#offload} sends every matmul
 * whose matrix this {@link #handles} here and keeps the rest, and every other kernel, on the CPU. An implementation
 * may keep a matrix resident on its device after the first call; matrices are the model's weights, which never change.
 */
public interface MatmulOffload extends AutoCloseable {
    /** Whether {@link #matmul} runs {@code w} (its format, its size). */
    boolean handles(Matrix w);

    /** {@code out[t][r] = W[r] . x[t]} for {@code batch} input rows, as {@link Kernels#matmul}. */
    void matmul(Matrix w, float[] x, int batch, float[] out);

    /** One line for run.json: what runs the matmuls, e.g. the device's name. */
    String describe();

    /** Frees device memory; the default holds none. */
    @Override
    default void close() {}
}
