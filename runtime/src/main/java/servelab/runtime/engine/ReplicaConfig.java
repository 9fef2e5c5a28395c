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
 */
public record ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks, boolean offload) {
    public ReplicaConfig {
        if (blockSizeTokens < 1) throw new IllegalArgumentException("blockSizeTokens must be >= 1, was " + blockSizeTokens);
        if (deviceBlocks < 1) throw new IllegalArgumentException("deviceBlocks must be >= 1, was " + deviceBlocks);
        if (hostBlocks < 0) throw new IllegalArgumentException("hostBlocks must be >= 0, was " + hostBlocks);
        if (offload && hostBlocks == 0) throw new IllegalArgumentException("offload needs hostBlocks > 0, was 0");
    }

    /** A layout without offload: the host tier, if any, serves swap preemption only. */
    public ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks) {
        this(blockSizeTokens, deviceBlocks, hostBlocks, false);
    }
}
