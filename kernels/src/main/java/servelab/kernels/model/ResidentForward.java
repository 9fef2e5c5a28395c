package servelab.kernels.model;

import java.util.List;

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

    /**
     * What a step brought back.
     *
     * @param tokens the token of each logit row, chunk after chunk: drawn on the device where {@link Draws} gives the
     *               row a temperature, else the greedy token (the lowest id on ties, as
     *               {@link servelab.kernels.sample.Sampler#argmax})
     * @param logits those rows' logits, or {@code null} when they were not asked for
     */
    record Step(int[] tokens, Logits logits) {}

    /**
     * Tokens to draw on the device: per logit row of the step, a temperature (0: the greedy token) and the uniform
     * number in [0, 1) the draw inverts, which the caller takes from the CPU sampler's generator for that token
     * ({@link servelab.kernels.sample.SeededSampler}'s first {@code nextDouble()}), so the draw is the CPU sampler's
     * for {@code SamplingParams.temperature(t)} (no top-k, top-p or min-p), up to float rounding at a boundary.
     */
    record Draws(float[] temperature, double[] uniform) {
        public Draws {
            if (temperature.length != uniform.length) {
                throw new IllegalArgumentException(temperature.length + " temperatures but " + uniform.length + " uniforms");
            }
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
