package servelab.runtime.exec;

import servelab.runtime.exec.cost.CostModel;

/** A cost model for tests: every step costs 1 ms plus 1 us per token, so times are easy to check by hand. */
public final class ToyCost implements CostModel {
    @Override
    public long stepNanos(int prefill, int decode, int seqs, long pairs, long context) {
        return 1_000_000L + 1_000L * (prefill + decode);
    }

    @Override
    public long swapNanos(int blocks, int blockSizeTokens) {
        return 10_000L * blocks;
    }

    @Override
    public int kvCapacityBlocks(int blockSizeTokens) {
        return 64;
    }

    @Override
    public String describe() {
        return "toy (1 ms + 1 us per token)";
    }
}
