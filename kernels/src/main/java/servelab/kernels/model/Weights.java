package servelab.kernels.model;

import java.util.List;

import servelab.kernels.matmul.Matrix;

/**
 * All weights of a Llama-family model. Matrices are views of the mapped GGUF file (rows = output features); the
 * small norm vectors are copied to float arrays. Immutable; the arrays are not copied again, so don't change them.
 *
 * @param tokenEmbedding   {@code token_embd.weight}: one row per token
 * @param layers           one per block
 * @param outputNorm       {@code output_norm.weight}
 * @param classifier       {@code output.weight}, or the token embedding when the file ties them
 * @param ropeFrequencies  the {@code headDim / 2} RoPE angular frequencies, Llama 3 scaling applied if the file has
 *                         {@code rope_freqs.weight}
 */
public record Weights(Matrix tokenEmbedding, List<Layer> layers, float[] outputNorm, Matrix classifier, float[] ropeFrequencies) {
    public Weights {
        layers = List.copyOf(layers);
    }

    /**
     * One transformer block ({@code blk.N.*}).
     *
     * @param attentionNorm {@code attn_norm.weight}
     * @param wq            {@code attn_q.weight}, qDim x dim
     * @param wk            {@code attn_k.weight}, kvDim x dim
     * @param wv            {@code attn_v.weight}, kvDim x dim
     * @param wo            {@code attn_output.weight}, dim x qDim
     * @param ffnNorm       {@code ffn_norm.weight}
     * @param gate          {@code ffn_gate.weight}, ffnDim x dim
     * @param up            {@code ffn_up.weight}, ffnDim x dim
     * @param down          {@code ffn_down.weight}, dim x ffnDim
     */
    public record Layer(float[] attentionNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {}
}
