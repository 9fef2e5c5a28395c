package servelab.runtime.exec.cost;

/**
 * KV capacity and swap time of a profile, shared by the roofline and the measured model (a measured table times
 * steps, but memory sizes still come from the model shapes and the device).
 */
final class DeviceMemory {
    private final double kvBytesPerToken;
    private final double kvBudgetBytes;
    /** All devices swap their own shard over their own link at once. */
    private final double swapBytesPerNano;
    private final double weightBytes;

    DeviceMemory(CostProfile p) {
        this.kvBytesPerToken = p.kvBytesPerToken();
        this.kvBudgetBytes = p.kvBudgetBytes();
        this.swapBytesPerNano = p.hardware().hostLinkBytesPerS() * p.efficiency().hostLink() * p.hardware().devices() / 1e9;
        this.weightBytes = p.model().weightBytes();
    }

    /** weight bytes / (host link x efficiency x devices): each device loads its shard over its own link at once. */
    long modelLoadNanos() {
        return Math.round(weightBytes / swapBytesPerNano);
    }

    /** floor(KV budget bytes / (blockSizeTokens x KV bytes per token)), capped at Integer.MAX_VALUE. */
    int kvCapacityBlocks(int blockSizeTokens) {
        if (blockSizeTokens < 1) throw new IllegalArgumentException("blockSizeTokens must be >= 1, was " + blockSizeTokens);
        double blocks = Math.floor(kvBudgetBytes / (blockSizeTokens * kvBytesPerToken));
        return (int) Math.min(Integer.MAX_VALUE, blocks);
    }

    /** blocks x blockSizeTokens x KV bytes per token / (host link x efficiency x devices); no per-transfer latency. */
    long swapNanos(int blocks, int blockSizeTokens) {
        if (blocks < 0) throw new IllegalArgumentException("blocks must be >= 0, was " + blocks);
        if (blockSizeTokens < 1) throw new IllegalArgumentException("blockSizeTokens must be >= 1, was " + blockSizeTokens);
        return Math.round((double) blocks * blockSizeTokens * kvBytesPerToken / swapBytesPerNano);
    }
}
