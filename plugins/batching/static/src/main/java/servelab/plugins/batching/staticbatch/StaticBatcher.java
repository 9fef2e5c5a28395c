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
 * <p>A batch takes waiting sequences in scheduler order while it has fewer than {@code max_num_seqs} and the KV
 * blocks for each one's prompt plus its output limit ({@link SeqView#maxOutputTokens()}) fit the free memory
 * above the watermark, as FasterTransformer reserves a slot's maximum length up front. In trace replay the output
 * limit is the true output length, a tighter reservation than a real server could make, so this baseline is, if
 * anything, favoured. The batcher keeps the ids of its batch (policy state; the engine still owns the
 * sequences): members preempted under memory pressure are brought back before anything new is admitted, and a
 * batcher swapped in mid-run adopts the sequences already running as its first batch.
 *
 * <p>Where ours differs: FasterTransformer pads prompts to one length and runs them in one pass; here prompts are
 * admitted whole in scheduler order under {@code max_num_batched_tokens} (a budget-sized chunk for a longer one),
 * so a large batch's prompts may take a few steps.
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

        /** The next batch: the head of the waiting order, while slots and full-length KV reservations last. */
        private void form(Ordering order, BatchContext ctx) {
            int free = ctx.freeBlocks() - ctx.admissionHeadroomBlocks();
            int reserved = 0;
            for (var seq : order.waiting()) {
                if (members.size() >= ledger.limits().maxNumSeqs()) return;
                int need = ctx.blocksNeeded(seq, seq.promptTokens() + seq.maxOutputTokens() - seq.computedTokens());
                if (reserved + need > free && !members.isEmpty()) return;
                reserved += need;
                members.add(seq.id());
            }
        }
    }
}
