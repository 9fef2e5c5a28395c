package servelab.runtime.exec.cost;

/**
 * How long the simulated executor's work takes on the modelled hardware, and how much KV memory it has.
 * Implementations are immutable and thread-safe; {@link CostModels#load} builds one from a profile.
 */
public interface CostModel {
    /**
     * Duration of one engine step (one batched forward pass) in nanoseconds. Must not allocate; called once per step.
     * A step with no tokens costs 0 (no forward pass is launched). Non-decreasing in every argument.
     *
     * @param prefillTokens         tokens computed for prefilling sequences this step (sum of chunk sizes)
     * @param decodeTokens          tokens computed for decoding sequences (1 each, or k+1 for a verification)
     * @param batchSeqs             sequences in the step
     * @param prefillAttentionPairs sum over prefill chunks of (query tokens x keys attended)
     *                              = n*p + n*(n+1)/2 for a chunk of n tokens after p cached/computed tokens (causal)
     * @param decodeContextTokens   sum over decoding sequences of the KV tokens each attends to (its context length)
     * @throws IllegalArgumentException if an argument is negative
     */
    long stepNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs, long decodeContextTokens);

    /** Time to move {@code blocks} KV blocks of {@code blockSizeTokens} tokens between device and host (swap preemption / offload). */
    long swapNanos(int blocks, int blockSizeTokens);

    /**
     * Time to load the weights onto the devices when a replica cold-starts: weight bytes over the load bandwidth
     * (the host link, at its efficiency, all devices at once). Default 0 for models without a profile.
     */
    default long modelLoadNanos() {
        return 0;
    }

    /** KV blocks of {@code blockSizeTokens} tokens that fit in device memory after weights and activations. */
    int kvCapacityBlocks(int blockSizeTokens);

    /** The profile's {@code serving.max_model_len}: the longest request taken; 0 when it gives none (no limit). */
    default int maxModelLen() {
        return 0;
    }

    /** A one-line description for run.json, e.g. "roofline llama-3-8b on h100-80gb (bf16, tp=1)". */
    String describe();
}
