package servelab.runtime.exec.cost;

/** Placeholder of the cost-model contract; replaced by the cost-model work. */
public interface CostModel {
    long stepNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs, long decodeContextTokens);

    long swapNanos(int blocks, int blockSizeTokens);

    int kvCapacityBlocks(int blockSizeTokens);

    String describe();
}
