package servelab.plugins.batching.continuous;

import servelab.api.batch.BatchContext;
import servelab.api.batch.BatchPlan;
import servelab.api.batch.Batcher;
import servelab.api.sched.Ordering;
import servelab.plugins.batching.common.BatchLimits;
import servelab.plugins.batching.common.StepLedger;
import servelab.plugins.batching.common.StepLedger.Fit;

/** The step rule of {@code continuous} and {@code decode-first-mixed}: running in order, then admissions in order. */
final class RunningFirstPolicy implements Batcher {
    private final StepLedger ledger;
    private final boolean chunked;

    RunningFirstPolicy(BatchLimits limits, boolean chunked) {
        this.ledger = new StepLedger(limits);
        this.chunked = chunked;
    }

    @Override
    public void plan(Ordering order, BatchContext ctx, BatchPlan plan) {
        var step = ledger.begin(order, ctx, plan);
        var running = order.running();
        for (int i = 0; i < running.size() && step.hasRoom(); i++) {
            if (step.isTaken(i)) continue; // preempted for an earlier sequence
            int n = Math.min(running.get(i).uncomputedTokens(), step.tokensLeft());
            if (step.run(i, n) == Fit.PREEMPTED_SELF) return;
        }
        for (var seq : order.waiting()) {
            int left = step.waitingTokens(seq);
            // without chunking a prompt waits whole for a step with room, unless no step could hold it (a prompt, or a
            // preempted sequence's recompute, over max_num_batched_tokens): that one is split rather than left to
            // stall the replica, as orca and vllm-prefill-first do (StepLedger.whole)
            int n = chunked ? Math.min(left, step.tokensLeft()) : step.whole(left);
            if (n > step.tokensLeft()) break;
            if (step.admit(seq, n) != Fit.ADDED) break;
        }
    }
}
