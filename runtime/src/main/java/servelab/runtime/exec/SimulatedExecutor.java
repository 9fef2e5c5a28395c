package servelab.runtime.exec;

import servelab.runtime.engine.Executor;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.StepResult;
import servelab.runtime.exec.cost.CostModel;

/**
 * The simulated world's executor: a step lasts what the cost model says for its shape, plus the KV transfers of
 * swap preemptions and swap-ins. Nothing is computed; tokens are produced on the virtual clock.
 */
public final class SimulatedExecutor implements Executor {
    private final CostModel cost;
    private final int blockSizeTokens;
    private final AcceptanceModel acceptance;
    private final double draftCost;

    public SimulatedExecutor(CostModel cost, int blockSizeTokens) {
        this(cost, blockSizeTokens, new AcceptanceModel(java.util.List.of(0.7), 0), 0);
    }

    /**
     * @param acceptance how many drafts a verification accepts
     * @param draftCost  cost of proposing one draft token for the batch's verifying sequences, as a fraction of a
     *                   target decode step over them: 0 for an n-gram proposer, about the draft/target parameter
     *                   ratio for a draft model (drafting k tokens runs the draft model k times)
     */
    public SimulatedExecutor(CostModel cost, int blockSizeTokens, AcceptanceModel acceptance, double draftCost) {
        if (!(draftCost >= 0 && draftCost <= 1000)) {
            throw new IllegalArgumentException("speculation.draft_cost must be in [0, 1000], was " + draftCost);
        }
        this.cost = cost;
        this.blockSizeTokens = blockSizeTokens;
        this.acceptance = acceptance;
        this.draftCost = draftCost;
    }

    @Override
    public long execute(StepBatch batch, StepResult result) {
        long nanos = cost.stepNanos(batch.prefillTokens(), batch.decodeTokens(), batch.size(),
                batch.prefillAttentionPairs(), batch.decodeContextTokens());
        int verifying = 0, maxDrafts = 0;
        long context = 0;
        for (int i = 0; i < batch.size(); i++) {
            int k = batch.draftTokens(i);
            if (k == 0) continue;
            int last = batch.startPosition(i);
            result.accept(i, acceptance.accepted(batch.seqId(i), last, k));
            verifying++;
            maxDrafts = Math.max(maxDrafts, k);
            context += last;
        }
        if (verifying > 0 && draftCost > 0) {
            nanos += Math.round(draftCost * maxDrafts * cost.stepNanos(0, verifying, verifying, 0, context));
        }
        int swapped = batch.swapInBlocks() + batch.swapOutBlocks();
        if (swapped > 0) nanos += cost.swapNanos(swapped, blockSizeTokens);
        return Math.max(1, nanos);
    }

    /** Placeholder drafts for the acceptance model (their cost is {@code draftCost}, charged when they are verified). */
    @Override
    public long selfDraft(servelab.runtime.engine.SelfDraftBatch batch, int layers, int draftTokens) {
        for (int i = 0; i < batch.size(); i++) {
            int n = Math.min(draftTokens, batch.maxDraftTokens(i));
            if (n <= 0) continue;
            var tokens = new int[n];
            java.util.Arrays.fill(tokens, batch.token(i, batch.lastPosition(i)));
            batch.draft(i, tokens, n);
        }
        return 0;
    }

    /** The profile's max_model_len, if it gives one. */
    @Override
    public int maxSequenceTokens() {
        return cost.maxModelLen() > 0 ? cost.maxModelLen() : Integer.MAX_VALUE;
    }

    @Override
    public String describe() {
        return "simulated: " + cost.describe() + "; speculation " + acceptance + ", draft cost " + draftCost;
    }
}
