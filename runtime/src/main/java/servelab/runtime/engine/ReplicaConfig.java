package servelab.runtime.engine;

/**
 * Fixed memory layout of one replica.
 *
 * @param blockSizeTokens tokens per KV block (16 by default, like vLLM)
 * @param deviceBlocks    KV blocks on the device
 * @param hostBlocks      KV blocks in the host tier, for swap preemption and, with {@code offload}, for prefix-cache
 *                        blocks the device evicts (0: no host tier; swap falls back to recompute)
 * @param offload         keep evicted prefix-cache blocks in the host tier and bring them back on a prefix hit;
 *                        needs {@code hostBlocks > 0}
 * @param maxModelLen     the longest request (prompt plus output tokens) taken, as vLLM's {@code --max-model-len};
 *                        0: the executor's own ({@link Executor#maxSequenceTokens()}: the profile's or the model's)
 * @param truncate        a longer request has its prompt cut to fit, keeping its last tokens (vLLM's
 *                        {@code truncate_prompt_tokens}), instead of being refused; one whose output alone does not
 *                        fit is refused all the same
 */
public record ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks, boolean offload, int maxModelLen,
                            boolean truncate) {
    public ReplicaConfig {
        if (maxModelLen < 0) throw new IllegalArgumentException("maxModelLen must be >= 0, was " + maxModelLen);
        if (blockSizeTokens < 1) throw new IllegalArgumentException("blockSizeTokens must be >= 1, was " + blockSizeTokens);
        if (deviceBlocks < 1) throw new IllegalArgumentException("deviceBlocks must be >= 1, was " + deviceBlocks);
        if (hostBlocks < 0) throw new IllegalArgumentException("hostBlocks must be >= 0, was " + hostBlocks);
        if (offload && hostBlocks == 0) throw new IllegalArgumentException("offload needs hostBlocks > 0, was 0");
    }

    /** A layout whose sequence limit is the executor's, refusing longer requests. */
    public ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks, boolean offload) {
        this(blockSizeTokens, deviceBlocks, hostBlocks, offload, 0, false);
    }

    /** A layout without offload: the host tier, if any, serves swap preemption only. */
    public ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks) {
        this(blockSizeTokens, deviceBlocks, hostBlocks, false);
    }
}
