package servelab.plugins.batching.chunkedprefill;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.BatchContext;
import servelab.api.batch.BatchPlan;
import servelab.api.batch.Batcher;
import servelab.api.sched.Ordering;
import servelab.plugins.batching.common.BatchLimits;
import servelab.plugins.batching.common.StepLedger;
import servelab.plugins.batching.common.StepLedger.Fit;

/**
 * Stall-free batching after Agrawal et al., "Taming Throughput-Latency Tradeoff in LLM Inference with
 * Sarathi-Serve" (OSDI'24): each step has a token budget ({@code max_num_batched_tokens}, Sarathi's τ), filled
 * first with the decodes of every running sequence, then with the next chunk of prompts already started, then
 * with chunks of new prompts, each chunk at most {@code chunk_size} tokens. Decodes never wait behind a long
 * prompt, so the time between tokens stays near the cost of a budget-sized step.
 *
 * <p>Where ours differs: Sarathi-Serve sizes the budget from a profiled TBT SLO; here it is a parameter (512, the
 * paper's strict-SLO setting for 7-8B models). Sarathi admits new prompts FCFS; here in scheduler order. Memory
 * and preemption follow the shared ledger: a running sequence that needs a block takes it from the last running
 * sequence after it in scheduler order that has no work in this step, else gives way itself, so a decode never
 * evicts a more urgent prompt. Decodes do take free memory first, though: when the last free block goes to a
 * decode, a more urgent prompt in progress is the one that cannot continue (and preempts itself).
 *
 * <p>Parameters: {@code max_num_seqs} (256), {@code max_num_batched_tokens} (512), {@code chunk_size} (512, most
 * prompt tokens one sequence computes in a step), {@code preempt_mode} (recompute | swap). Cost: O(r + a) per
 * step (two passes over the running order).
 */
@Component(service = PluginFactory.class)
public final class ChunkedPrefillBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "chunked-prefill",
            "1.0.0", "Stall-free batching: decodes first, then prefill chunks, under a token budget (Sarathi-Serve).",
            params());

    private static List<ParamSpec> params() {
        var params = new ArrayList<>(BatchLimits.params(256, 512));
        params.add(2, ParamSpec.ofInt("chunk_size", 512, 1, 1 << 24,
                "most prompt tokens one sequence computes in one step"));
        return params;
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new Policy(new StepLedger(BatchLimits.from(params)), params.getInt("chunk_size"));
    }

    private record Policy(StepLedger ledger, int chunkSize) implements Batcher {
        @Override
        public void plan(Ordering order, BatchContext ctx, BatchPlan plan) {
            var step = ledger.begin(order, ctx, plan);
            var running = order.running();
            // 1. every decode first: this is what makes the batching stall-free
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                if (step.isTaken(i) || !running.get(i).isDecoding()) continue;
                if (step.run(i, 1) == Fit.PREEMPTED_SELF) break; // everything after it is taken; prompts before it may run
            }
            // 2. the next chunk of prompts already under way (and of recomputations)
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                if (step.isTaken(i)) continue;
                if (step.run(i, chunk(running.get(i).uncomputedTokens(), step)) == Fit.PREEMPTED_SELF) break;
            }
            // 3. chunks of new prompts while the budget lasts
            for (var seq : order.waiting()) {
                if (step.admit(seq, chunk(step.waitingTokens(seq), step)) != Fit.ADDED) break;
            }
        }

        private int chunk(int left, StepLedger step) {
            return Math.min(left, Math.min(chunkSize, step.tokensLeft()));
        }
    }
}
