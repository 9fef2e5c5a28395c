package servelab.runtime.engine;

/**
 * Fixed memory layout of one replica.
 *
 * @param blockSizeTokens tokens per KV block (16 by default, like vLLM)
 * @param deviceBlocks    KV blocks on the device
 * @param hostBlocks      KV blocks in the host tier for swap preemption (0: swap falls back to recompute)
 */
public record ReplicaConfig(int blockSizeTokens, int deviceBlocks, int hostBlocks) {
    public ReplicaConfig {
        if (blockSizeTokens < 1) throw new IllegalArgumentException("blockSizeTokens must be >= 1, was " + blockSizeTokens);
        if (deviceBlocks < 1) throw new IllegalArgumentException("deviceBlocks must be >= 1, was " + deviceBlocks);
        if (hostBlocks < 0) throw new IllegalArgumentException("hostBlocks must be >= 0, was " + hostBlocks);
    }
}
