package servelab.runtime.exec;

import servelab.runtime.engine.Executor;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.exec.cost.CostModel;

/**
 * The simulated world's executor: a step lasts what the cost model says for its shape, plus the KV transfers of
 * swap preemptions and swap-ins. Nothing is computed; tokens are produced on the virtual clock.
 */
public final class SimulatedExecutor implements Executor {
    private final CostModel cost;
    private final int blockSizeTokens;

    public SimulatedExecutor(CostModel cost, int blockSizeTokens) {
        this.cost = cost;
        this.blockSizeTokens = blockSizeTokens;
    }

    @Override
    public long execute(StepBatch batch) {
        long nanos = cost.stepNanos(batch.prefillTokens(), batch.decodeTokens(), batch.size(),
                batch.prefillAttentionPairs(), batch.decodeContextTokens());
        int swapped = batch.swapInBlocks() + batch.swapOutBlocks();
        if (swapped > 0) nanos += cost.swapNanos(swapped, blockSizeTokens);
        return Math.max(1, nanos);
    }

    @Override
    public String describe() {
        return "simulated: " + cost.describe();
    }
}
