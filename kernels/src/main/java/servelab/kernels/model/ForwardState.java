package servelab.kernels.model;

import servelab.kernels.Kernels;
import servelab.kernels.attention.KvAddress;

/**
 * The mutable scratch of forward steps, kept apart from the immutable {@link Llama}: activations for every token of
 * a batch, laid out token after token, and the logits. Grows to the largest batch seen. One State per thread that
 * runs steps; it also fixes which {@link Kernels} the steps use.
 */
public final class ForwardState {
    final Kernels kernels;
    private final Config config;
    int capacity;
    int logitCapacity;
    /** Residual stream, dim per token. */
    float[] x;
    /** Normalized input of a sub-layer, dim per token. */
    float[] xb;
    /** Output of a sub-layer's projection, dim per token. */
    float[] xb2;
    float[] q;
    float[] k;
    float[] v;
    /** Attention output, qDim per token. */
    float[] attention;
    /** SwiGLU gate and up projections, ffnDim per token. */
    float[] gate;
    float[] up;
    int[] positions;
    KvAddress[] addresses;
    /** Residual rows that get logits, and the logits. */
    float[] logitInput;
    float[] logits;

    public ForwardState(Config config, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        ensureCapacity(1, 1);
    }

    public Kernels kernels() {
        return kernels;
    }

    /** Makes room for a step of {@code tokens} tokens and {@code logitRows} logit rows. */
    void ensureCapacity(int tokens, int logitRows) {
        if (tokens > capacity) {
            capacity = Math.max(tokens, capacity * 2);
            x = new float[capacity * config.dim()];
            xb = new float[capacity * config.dim()];
            xb2 = new float[capacity * config.dim()];
            q = new float[capacity * config.qDim()];
            k = new float[capacity * config.kvDim()];
            v = new float[capacity * config.kvDim()];
            attention = new float[capacity * config.qDim()];
            gate = new float[capacity * config.ffnDim()];
            up = new float[capacity * config.ffnDim()];
            positions = new int[capacity];
            addresses = new KvAddress[capacity];
        }
        if (logitRows > logitCapacity) {
            logitCapacity = Math.max(logitRows, logitCapacity * 2);
            logitInput = new float[logitCapacity * config.dim()];
            logits = new float[logitCapacity * config.vocabularySize()];
        }
    }
}
