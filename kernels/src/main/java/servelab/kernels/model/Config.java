package servelab.kernels.model;

import servelab.kernels.attention.AttentionShape;
import servelab.kernels.gguf.GgufMetadata;

/**
 * Hyper-parameters of a Llama-family model, as GGUF's {@code llama.*} keys give them.
 *
 * @param dim           model width ({@code llama.embedding_length})
 * @param layers        transformer blocks ({@code llama.block_count})
 * @param heads         query heads ({@code llama.attention.head_count})
 * @param kvHeads       key/value heads ({@code llama.attention.head_count_kv}; fewer than heads is grouped-query attention)
 * @param headDim       floats per head ({@code llama.attention.key_length}, else dim / heads)
 * @param ffnDim        hidden width of the SwiGLU feed-forward ({@code llama.feed_forward_length})
 * @param vocabularySize rows of the embedding and classifier
 * @param contextLength positions the model was trained for ({@code llama.context_length}); the forward pass refuses more
 * @param rmsEps        RMSNorm epsilon ({@code llama.attention.layer_norm_rms_epsilon})
 * @param ropeTheta     RoPE base ({@code llama.rope.freq_base}, 10000 if absent)
 */
public record Config(int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocabularySize,
                     int contextLength, float rmsEps, float ropeTheta) {
    public Config {
        int smallest = Math.min(Math.min(Math.min(dim, layers), Math.min(heads, kvHeads)),
                Math.min(Math.min(headDim, ffnDim), Math.min(vocabularySize, contextLength)));
        if (smallest <= 0) {
            throw new IllegalArgumentException("Config sizes must be > 0: " + describe(dim, layers, heads, kvHeads, headDim,
                    ffnDim, vocabularySize, contextLength));
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("Config.kvHeads (" + kvHeads + ") must divide heads (" + heads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("Config.headDim must be even for RoPE, was " + headDim);
        }
        if (!(rmsEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("Config.rmsEps and ropeTheta must be > 0, were " + rmsEps + " and " + ropeTheta);
        }
    }

    private static String describe(int... v) {
        return "dim=%d layers=%d heads=%d kvHeads=%d headDim=%d ffnDim=%d vocabularySize=%d contextLength=%d".formatted(
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    /** Reads the {@code llama.*} keys; {@code general.architecture} must be {@code llama}. */
    public static Config fromGguf(GgufMetadata m, int vocabularySize) {
        String architecture = m.string("general.architecture");
        if (!architecture.equals("llama")) {
            throw new IllegalArgumentException("general.architecture is '" + architecture + "': only 'llama' is supported");
        }
        int dim = m.int32("llama.embedding_length");
        int heads = m.int32("llama.attention.head_count");
        if (heads <= 0) { // the head size below is divided by it (a fuzzed file's 0 was an ArithmeticException)
            throw new IllegalArgumentException("llama.attention.head_count must be > 0, was " + heads);
        }
        int kvHeads = m.contains("llama.attention.head_count_kv") ? m.int32("llama.attention.head_count_kv") : heads;
        int headDim = m.contains("llama.attention.key_length") ? m.int32("llama.attention.key_length") : dim / heads;
        float theta = m.contains("llama.rope.freq_base") ? m.float32("llama.rope.freq_base") : 10000f;
        // keys that must agree with the rest, else the file is not what it says (each was ignored)
        if (m.contains("llama.vocab_size") && m.int32("llama.vocab_size") != vocabularySize) {
            throw new IllegalArgumentException("llama.vocab_size is " + m.int32("llama.vocab_size") + " but the "
                    + "tokenizer has " + vocabularySize + " tokens");
        }
        if (m.contains("llama.rope.dimension_count") && m.int32("llama.rope.dimension_count") != headDim) {
            throw new IllegalArgumentException("llama.rope.dimension_count is " + m.int32("llama.rope.dimension_count")
                    + ", not the head size " + headDim + ": rotary embedding of part of a head is not supported");
        }
        return new Config(dim, m.int32("llama.block_count"), heads, kvHeads, headDim, m.int32("llama.feed_forward_length"),
                vocabularySize, m.int32("llama.context_length"), m.float32("llama.attention.layer_norm_rms_epsilon"), theta);
    }

    /** Floats of all query heads of one token. */
    public int qDim() {
        return heads * headDim;
    }

    /** Floats of all key (or value) heads of one token. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    public AttentionShape attentionShape() {
        return new AttentionShape(heads, kvHeads, headDim);
    }

    /** Parameters in the weight matrices and norms (the embedding counted once even when tied). */
    public long parameters(boolean tiedEmbeddings) {
        long perLayer = 2L * dim + (long) dim * qDim() + 2L * dim * kvDim() + (long) qDim() * dim + 3L * dim * ffnDim;
        return layers * perLayer + dim + (long) vocabularySize * dim * (tiedEmbeddings ? 1 : 2);
    }
}
