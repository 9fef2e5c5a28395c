package servelab.plugins.batching.prefillfirst;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.BatchContext;
import servelab.api.batch.BatchPlan;
import servelab.api.batch.Batcher;
import servelab.api.sched.Ordering;
import servelab.api.sched.SeqView;
import servelab.plugins.batching.common.BatchLimits;
import servelab.plugins.batching.common.StepLedger;
import servelab.plugins.batching.common.StepLedger.Fit;

/**
 * vLLM v0's default scheduler ({@code vllm/core/scheduler.py}, {@code _schedule_default}; Kwon et al., SOSP'23):
 * a step is either prefill-only or decode-only, and prefills win. If any waiting prompt can be admitted (whole,
 * within the token budget, while fewer than {@code max_num_seqs} sequences hold KV, above the watermark), the step
 * computes new prompts only and every running sequence waits; otherwise the step decodes every running sequence,
 * preempting from the end of the running order when memory runs out, and swaps preempted sequences back in.
 * Prefills are not admitted while a swapped-out sequence waits, as in v0.
 *
 * <p>This is the baseline Sarathi-Serve measures against: long prompts arriving under load stall every decode
 * for a whole prefill step (generation stalls), which shows in the tail of the inter-token latency.
 *
 * <p>Where ours differs: v0 refuses to start when {@code max_num_batched_tokens} is below the model length; here a
 * prompt longer than the budget is split into budget-sized chunks instead of stalling.
 *
 * <p>Parameters: {@code max_num_seqs} (256), {@code max_num_batched_tokens} (8192, v0's default for an 8k-context
 * model), {@code preempt_mode} (recompute | swap). Cost: O(r + w) per step (one scan of the waiting queue for
 * swapped sequences).
 */
@Component(service = PluginFactory.class)
public final class PrefillFirstBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "vllm-prefill-first",
            "1.0.0", "vLLM v0 default: prefill-only steps take priority over decode-only steps.",
            BatchLimits.params(256, 8192));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new Policy(new StepLedger(BatchLimits.from(params)));
    }

    private record Policy(StepLedger ledger) implements Batcher {
        @Override
        public void plan(Ordering order, BatchContext ctx, BatchPlan plan) {
            var step = ledger.begin(order, ctx, plan);
            // prompts under way go on in a prefill-only step even while a swapped-out sequence waits (it blocks
            // only new prompts): a decode step that also carried a prompt chunk broke the step rule
            if (promptsUnderWay(order, step) && order.waiting().stream().noneMatch(SeqView::isSwapped)) {
                newPrompts(order, step);
            }
            if (plan.sequences() > 0) return;
            decodes(order, step);
        }

        /**
         * Prompts still under way (too long for one step), running or swapped out; false when one could not be
         * added.
         */
        private static boolean promptsUnderWay(Ordering order, StepLedger step) {
            var running = order.running();
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                var seq = running.get(i);
                if (seq.isDecoding() || step.isTaken(i)) continue;
                if (step.run(i, step.whole(seq.uncomputedTokens())) != Fit.ADDED) return false;
            }
            for (var seq : order.waiting()) { // one swapped out mid-prompt comes back in a prompt step too
                if (seq.isSwapped() && !seq.isDecoding()
                        && step.admit(seq, step.whole(step.waitingTokens(seq))) != Fit.ADDED) return false;
            }
            return true;
        }

        /** New prompts, whole, in order. */
        private static void newPrompts(Ordering order, StepLedger step) {
            for (var seq : order.waiting()) {
                if (step.admit(seq, step.whole(step.waitingTokens(seq))) != Fit.ADDED) return;
            }
        }

        /** Decodes of every decoding running sequence, then swapped-out sequences brought back in. */
        private static void decodes(Ordering order, StepLedger step) {
            var running = order.running();
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                if (step.isTaken(i) || !running.get(i).isDecoding()) continue;
                int n = Math.min(running.get(i).uncomputedTokens(), step.tokensLeft());
                if (step.run(i, n) == Fit.PREEMPTED_SELF) return;
            }
            for (var seq : order.waiting()) {
                if (seq.isSwapped() && seq.isDecoding()
                        && step.admit(seq, step.whole(step.waitingTokens(seq))) != Fit.ADDED) return;
            }
        }
    }
}
