package servelab.plugins.batching.staticbatch;

import java.util.HashSet;

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
 * Request-level (static) batching as NVIDIA FasterTransformer serves it, the baseline of Orca (Yu et al., OSDI'22,
 * §2.2): a batch is formed from the head of the waiting order, runs its prompts and then decodes together, and
 * only when <em>every</em> sequence of it has finished is the next batch formed. A sequence that finishes early
 * leaves its slot idle; a request that arrives meanwhile waits for the whole batch.
 *
 * <p>A batch takes waiting sequences in scheduler order while it has fewer than {@code max_num_seqs} and its
 * padded size fits the free KV memory above the watermark: FasterTransformer runs a batch as one
 * {@code [batch, max_len]} tensor, so every member holds room for the batch's longest prompt plus its longest
 * output limit ({@link SeqView#maxOutputTokens()}). In trace replay the output limit is the true output length,
 * tighter than the model's maximum length FasterTransformer reserves with, so this baseline is, if anything,
 * favoured. The batcher keeps the ids of its batch (policy state; the engine still owns the sequences): members
 * preempted under memory pressure are brought back before anything new is admitted, and a batcher swapped in
 * mid-run adopts the sequences already running as its first batch.
 *
 * <p>Where ours differs: the padding is reserved, not computed: the engine allocates blocks as tokens are computed
 * and the cost model charges only real tokens, so padded prompts cost FasterTransformer compute that they do not
 * cost here. Prompts are admitted whole in scheduler order under {@code max_num_batched_tokens} (a budget-sized
 * chunk for a longer one), so a large batch's prompts may take a few steps.
 *
 * <p>Parameters: {@code max_num_seqs} (256, the batch size), {@code max_num_batched_tokens} (8192),
 * {@code preempt_mode} (recompute | swap). Cost: O(r + w) per step (one look-up per waiting sequence); the batch's
 * ids are the only state.
 */
@Component(service = PluginFactory.class)
public final class StaticBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "static", "1.0.0",
            "Static batching: a batch runs until all its sequences finish (FasterTransformer, Orca's baseline).",
            BatchLimits.params(256, 8192));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new Policy(new StepLedger(BatchLimits.from(params)));
    }

    private static final class Policy implements Batcher {
        private final StepLedger ledger;
        /** Ids of the current batch; only looked up and counted, never iterated, so order cannot leak out. */
        private HashSet<Long> members = new HashSet<>();
        private HashSet<Long> present = new HashSet<>();

        Policy(StepLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        public void plan(Ordering order, BatchContext ctx, BatchPlan plan) {
            var step = ledger.begin(order, ctx, plan);
            forgetFinished(order);
            if (members.isEmpty()) form(order, ctx);
            var running = order.running();
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                if (step.isTaken(i)) continue;
                if (step.run(i, step.whole(running.get(i).uncomputedTokens())) == Fit.PREEMPTED_SELF) return;
            }
            for (var seq : order.waiting()) {
                if (!members.contains(seq.id())) continue;
                if (step.admit(seq, step.whole(step.waitingTokens(seq))) != Fit.ADDED) break;
            }
        }

        /** Members are what still runs plus members waiting after a preemption; a finished one is in neither. */
        private void forgetFinished(Ordering order) {
            present.clear();
            for (var seq : order.running()) present.add(seq.id()); // running sequences always belong to the batch
            if (!members.isEmpty()) {
                for (var seq : order.waiting()) {
                    if (members.contains(seq.id())) present.add(seq.id());
                }
            }
            var old = members;
            members = present;
            present = old;
        }

        /**
         * The next batch: the head of the waiting order, while the batch has fewer than {@code max_num_seqs} and its
         * padded size fits: every member holds KV for the batch's longest prompt plus its longest output.
         */
        private void form(Ordering order, BatchContext ctx) {
            int free = ctx.freeBlocks() - ctx.admissionHeadroomBlocks();
            int longestPrompt = 0;
            int longestOutput = 0;
            for (var seq : order.waiting()) {
                if (members.size() >= ledger.limits().maxNumSeqs()) return;
                int prompt = Math.max(longestPrompt, seq.promptTokens());
                int output = Math.max(longestOutput, seq.maxOutputTokens());
                long padded = (long) (members.size() + 1) * Math.ceilDiv(prompt + output, ctx.blockSizeTokens());
                if (padded > free && !members.isEmpty()) return;
                longestPrompt = prompt;
                longestOutput = output;
                members.add(seq.id());
            }
        }
    }
}
