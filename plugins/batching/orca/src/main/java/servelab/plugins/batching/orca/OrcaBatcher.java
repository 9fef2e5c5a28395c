package servelab.plugins.batching.orca;

import org.osgi.service.component.annotations.Component;

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
 * Iteration-level scheduling after Yu et al., "Orca: A Distributed Serving System for Transformer-Based Generative
 * Models" (OSDI'22), Algorithm 1: every step, the running requests continue (one decode each), and new requests join
 * in scheduler order with their <em>whole</em> prompt as one prefill, until the batch is full; the first request
 * that does not fit stops admission (head of line, as Orca's {@code Select} breaks).
 *
 * <p>Where ours differs: Orca reserves KV for a request's maximum length when it admits it; here the KV allocator
 * plugin sizes memory (paged by default, which grows as tokens are computed), so pair it with a contiguous
 * allocator for Orca's reservation. Orca bounds a step by its batch size only; ours also honours
 * {@code max_num_batched_tokens}, and splits a prompt that could never fit an empty step into budget-sized chunks
 * rather than stall. Preemption (Orca has none, having reserved memory) takes the last running request in
 * scheduler order.
 *
 * <p>Parameters: {@code max_num_seqs} (256, Orca's max batch size), {@code max_num_batched_tokens} (8192),
 * {@code preempt_mode} (recompute | swap). Cost: O(r + a) per step for r running and a admitted sequences.
 */
@Component(service = PluginFactory.class)
public final class OrcaBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "orca", "1.0.0",
            "Iteration-level batching, whole prompts as prefill, head-of-line admission (Orca, OSDI'22).",
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
            var running = order.running();
            for (int i = 0; i < running.size() && step.hasRoom(); i++) {
                if (step.isTaken(i)) continue;
                // a running request has one token to decode, or the rest of a prompt that was too long for a step
                var fit = step.run(i, step.whole(running.get(i).uncomputedTokens()));
                if (fit == Fit.PREEMPTED_SELF) return;
                if (fit != Fit.ADDED) break;
            }
            for (var seq : order.waiting()) {
                if (step.admit(seq, step.whole(step.waitingTokens(seq))) != Fit.ADDED) break;
            }
        }
    }
}
