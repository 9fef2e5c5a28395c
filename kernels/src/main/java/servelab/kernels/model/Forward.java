package servelab.kernels.model;

import java.util.HashSet;
import java.util.List;

import servelab.kernels.attention.KvCache;
import servelab.kernels.matmul.MatMul;

/**
 * One batched forward step of a Llama-family model over any mix of prefill chunks, decodes and verifications.
 * All tokens of the batch go through each weight matrix together (one pass over the weights per step); attention
 * is per token over its own sequence's cache. The whole batch is checked before the cache is written.
 */
public final class Forward {
    private Forward() {}

    /**
     * Runs {@code batch} through {@code model}, storing every token's keys and values in {@code cache}, and returns
     * the logits the chunks asked for. Throws {@link IllegalArgumentException} (before writing anything) if a chunk
     * has a token outside the vocabulary, runs past the context length or the cache space its address gives, or if
     * two chunks would write the same cache row.
     */
    public static Logits step(Llama model, ForwardState s, KvCache cache, List<SequenceChunk> batch) {
        return step(model, s, cache, batch, model.config().layers());
    }

    /**
     * Like {@link #step(Llama, ForwardState, KvCache, List)} through the first {@code layers} blocks only, then the
     * final norm and classifier: the draft pass of layer-skip self-speculation. Only those layers' keys and values
     * are written.
     */
    public static Logits step(Llama model, ForwardState s, KvCache cache, List<SequenceChunk> batch, int layers) {
        var c = model.config();
        if (layers < 1 || layers > c.layers()) {
            throw new IllegalArgumentException("layers must be in 1.." + c.layers() + ", was " + layers);
        }
        var w = model.weights();
        var kernels = s.kernels;
        var shape = c.attentionShape();
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int ffn = c.ffnDim();
        int[] firstLogitRow = check(c, cache, batch);
        int tokens = layOut(s, batch, firstLogitRow[batch.size()]);

        // token embeddings: one row of token_embd per token
        int t0 = 0;
        for (var chunk : batch) {
            for (int token : chunk.tokens()) {
                MatMul.row(w.tokenEmbedding(), token, s.x, t0++ * dim);
            }
        }

        for (int l = 0; l < layers; l++) {
            var layer = w.layers().get(l);
            int layerIndex = l;

            // attention rmsnorm
            for (int t = 0; t < tokens; t++) {
                kernels.rmsNorm(s.xb, t * dim, s.x, t * dim, layer.attentionNorm(), dim, c.rmsEps());
            }
            // q, k, v projections: each weight read once for all tokens of the step
            kernels.matmul(layer.wq(), s.xb, tokens, s.q);
            kernels.matmul(layer.wk(), s.xb, tokens, s.k);
            kernels.matmul(layer.wv(), s.xb, tokens, s.v);
            // RoPE: rotate queries and keys by each token's own position
            for (int t = 0; t < tokens; t++) {
                kernels.rope(s.q, t * qDim, c.heads(), c.headDim(), s.positions[t], w.ropeFrequencies());
                kernels.rope(s.k, t * kvDim, c.kvHeads(), c.headDim(), s.positions[t], w.ropeFrequencies());
            }
            // store keys and values at each token's position in its sequence's cache
            for (int t = 0; t < tokens; t++) {
                cache.store(l, s.addresses[t], s.positions[t], s.k, t * kvDim, s.v, t * kvDim);
            }
            // causal grouped-query attention: a token at position p sees positions 0..p of its own sequence
            // (all of the batch's keys are stored first, so a prefill chunk's tokens see each other)
            kernels.parallel().forRange(tokens * c.kvHeads(), 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int t = i / c.kvHeads();
                    kernels.attention(shape, cache, layerIndex, s.addresses[t], s.positions[t] + 1, i % c.kvHeads(),
                            s.q, t * qDim, s.attention, t * qDim);
                }
            });
            // output projection and residual
            kernels.matmul(layer.wo(), s.attention, tokens, s.xb2);
            addInPlace(s.x, s.xb2, tokens * dim);

            // feed-forward rmsnorm
            for (int t = 0; t < tokens; t++) {
                kernels.rmsNorm(s.xb, t * dim, s.x, t * dim, layer.ffnNorm(), dim, c.rmsEps());
            }
            // SwiGLU: down(silu(gate(x)) * up(x))
            kernels.matmul(layer.gate(), s.xb, tokens, s.gate);
            kernels.matmul(layer.up(), s.xb, tokens, s.up);
            kernels.swiGlu(s.gate, s.up, 0, tokens * ffn);
            kernels.matmul(layer.down(), s.gate, tokens, s.xb2);
            // residual
            addInPlace(s.x, s.xb2, tokens * dim);
        }

        // final rmsnorm and classifier, only for the rows that want logits (the last logitTokens of each chunk)
        int rows = 0;
        int end = 0;
        for (var chunk : batch) {
            end += chunk.tokens().length;
            for (int t = end - chunk.logitTokens(); t < end; t++) {
                kernels.rmsNorm(s.logitInput, rows++ * dim, s.x, t * dim, w.outputNorm(), dim, c.rmsEps());
            }
        }
        if (rows > 0) {
            kernels.matmul(w.classifier(), s.logitInput, rows, s.logits);
        }
        return new Logits(s.logits, c.vocabularySize(), firstLogitRow);
    }

    private static void addInPlace(float[] x, float[] delta, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += delta[i];
        }
    }

    /** Fills each token's position and cache address, token after token; returns the token count. */
    private static int layOut(ForwardState s, List<SequenceChunk> batch, int logitRows) {
        int tokens = batch.stream().mapToInt(chunk -> chunk.tokens().length).sum();
        s.ensureCapacity(tokens, logitRows);
        int t = 0;
        for (var chunk : batch) {
            for (int j = 0; j < chunk.tokens().length; j++, t++) {
                s.positions[t] = chunk.startPosition() + j;
                s.addresses[t] = chunk.kv();
            }
        }
        return tokens;
    }

    /** Validates the whole batch against the model and cache; returns each chunk's first logit row (and the total). */
    private static int[] check(Config c, KvCache cache, List<SequenceChunk> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        if (cache.layers() != c.layers() || cache.kvHeads() != c.kvHeads() || cache.headDim() != c.headDim()) {
            throw new IllegalArgumentException("the KV cache has " + cache.layers() + " layers of " + cache.kvHeads() + " x "
                    + cache.headDim() + ", the model needs " + c.layers() + " of " + c.kvHeads() + " x " + c.headDim());
        }
        var firstRow = new int[batch.size() + 1];
        var written = new HashSet<Integer>();
        for (int i = 0; i < batch.size(); i++) {
            var chunk = batch.get(i);
            String which = "batch entry " + i + " (" + chunk.kv() + ")";
            for (int token : chunk.tokens()) {
                if (token < 0 || token >= c.vocabularySize()) {
                    throw new IllegalArgumentException(which + ": token " + token + " outside the vocabulary 0.." + (c.vocabularySize() - 1));
                }
            }
            if (chunk.endPosition() > c.contextLength()) {
                throw new IllegalArgumentException(which + ": positions up to " + (chunk.endPosition() - 1)
                        + " exceed the model's context length " + c.contextLength());
            }
            try {
                cache.checkCapacity(chunk.kv(), chunk.endPosition());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(which + ": " + e.getMessage(), e);
            }
            for (int p = chunk.startPosition(); p < chunk.endPosition(); p++) {
                if (!written.add(cache.rowOffset(chunk.kv(), 0, p))) {
                    throw new IllegalArgumentException(which + ": position " + p + " would overwrite a cache row another entry "
                            + "of this batch writes");
                }
            }
            firstRow[i + 1] = firstRow[i] + chunk.logitTokens();
        }
        return firstRow;
    }
}
