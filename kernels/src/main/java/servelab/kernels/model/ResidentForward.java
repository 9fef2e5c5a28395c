package servelab.kernels.model;

import java.util.List;

import servelab.kernels.sample.SamplingParams;

/**
 * A model's whole forward step on another device, with its weights and its paged KV pool resident there (TornadoVM's
 * {@code DeviceForward} in {@code kernels/tornadovm}). Block ids are the engine's, {@code 0 .. poolBlocks - 1}, and
 * each layer of the pool is laid out as {@link servelab.kernels.attention.PagedKvCache} lays out one: block after
 * block, {@link #blockFloats()} floats each. A step uploads only its metadata and brings back the greedy token of each
 * logit row; the logits come back only when the caller asks for them. Not thread-safe.
 */
public interface ResidentForward extends AutoCloseable {

    /** Opens a model's whole forward pass on a device, over a pool of {@code poolBlocks} blocks of {@code blockSize}. */
    @FunctionalInterface
    interface Opener {
        /** @throws RuntimeException with the reason, when the device cannot hold or run this model */
        ResidentForward open(Llama model, int blockSize, int poolBlocks);
    }

    /** Drafts one device verification takes at most (a chunk with more is verified from its logits on the host). */
    int MAX_VERIFY_DRAFTS = 16;

    /**
     * What a step brought back.
     *
     * @param tokens   the token of each logit row, chunk after chunk: drawn on the device where {@link Draws} gives the
     *                 row a temperature, else the greedy token (the lowest id on ties, as
     *                 {@link servelab.kernels.sample.Sampler#argmax})
     * @param logits   those rows' logits, or {@code null} when they were not asked for
     * @param verified per chunk, the tokens its device verification kept ({@link Verify}: the accepted drafts and one
     *                 token more), or {@code null} for a chunk not verified on the device; {@code null} when none was
     */
    record Step(int[] tokens, Logits logits, int[][] verified) {
        public Step(int[] tokens, Logits logits) {
            this(tokens, logits, null);
        }
    }

    /**
     * A verification chunk's rejection sampling on the device: its tokens after the first are the drafts (a
     * deterministic proposal, as n-gram and layer-skip drafts are), its logit rows the target's, sampled at
     * {@code temperature} without filters. Row {@code i}'s token is the inverse-CDF draw with {@code uniforms[i]} (its
     * position's uniform, the one plain sampling there inverts), and draft {@code i} is kept when the draw equals it;
     * the first row whose draw differs ends the verification with that draw, and when all drafts are kept row k's draw
     * is the token after them. The outcome is
     * {@link servelab.kernels.sample.SpeculativeVerifier#rejectionByDraw(int[], float[][], double[])}'s up to float
     * rounding at a boundary.
     *
     * @param temperature > 0
     * @param uniforms    k + 1 numbers in [0, 1)
     */
    record Verify(float temperature, double[] uniforms) {}

    /** The largest top-k a draw on the device takes (its kept tokens are found one at a time). */
    int MAX_DRAW_TOP_K = 64;

    /**
     * Whether a token sampled with {@code params} can be drawn on the device: a temperature, and a top-k of at most
     * {@link #MAX_DRAW_TOP_K} or none; any top-p (without a top-k, the nucleus is found by bisection on the logit);
     * any min-p.
     */
    static boolean drawable(SamplingParams params) {
        return !params.isGreedy() && params.topK() <= MAX_DRAW_TOP_K;
    }

    /**
     * Tokens to draw on the device: per logit row the sampling parameters ({@code null} or greedy: the greedy token;
     * else {@link #drawable}) and the uniform number in [0, 1) the draw inverts, which the caller takes from the CPU
     * sampler's generator for that token ({@link servelab.kernels.sample.SeededSampler}'s first {@code nextDouble()}),
     * so the draw is the CPU sampler's up to float rounding at a boundary.
     *
     * @param params  per logit row (the rows of a chunk verified on the device keep {@code null})
     * @param uniform per logit row
     * @param verify  per chunk, its device verification or {@code null}; {@code null} when none is
     */
    record Draws(SamplingParams[] params, double[] uniform, Verify[] verify) {
        public Draws {
            if (params.length != uniform.length) {
                throw new IllegalArgumentException(params.length + " rows of parameters but " + uniform.length
                        + " uniforms");
            }
        }

        /** Draws of single rows, no verification on the device. */
        public Draws(SamplingParams[] params, double[] uniform) {
            this(params, uniform, null);
        }
    }

    /**
     * Runs {@code chunks} through the first {@code layers} layers ({@code config().layers()}: the whole model; fewer:
     * layer-skip drafting), their keys and values of those layers into the pool, then the final norm and the
     * classifier of the rows that want logits.
     *
     * @param draws      the rows to draw with a temperature, or {@code null}: every row's greedy token
     * @param withLogits whether to bring the logit rows back too
     * @throws IllegalArgumentException naming the chunk, when a chunk does not fit the pool or the model
     */
    Step step(List<SequenceChunk> chunks, int layers, Draws draws, boolean withLogits);

    /** A step that takes every row's greedy token. */
    default Step step(List<SequenceChunk> chunks, int layers, boolean withLogits) {
        return step(chunks, layers, null, withLogits);
    }

    /**
     * Copies pool blocks to the host (swap-out): block {@code blocks[i]} of every layer {@code l} into
     * {@code keys[l]} and {@code values[l]} at {@code slots[i] * blockFloats()}.
     */
    void read(int[] blocks, int[] slots, float[][] keys, float[][] values);

    /** The reverse of {@link #read} (swap-in): the host slots into the pool blocks. */
    void write(int[] blocks, int[] slots, float[][] keys, float[][] values);

    /** Floats of one block in one layer's keys (or values). */
    int blockFloats();

    /** Positions one sequence may have (the device attention's limit, or the model's context). */
    int maxContext();

    /** One line for run.json: the device and what runs on it. */
    String describe();

    /** Frees the device memory. */
    @Override
    void close();
}
