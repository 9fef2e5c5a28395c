package servelab.plugins.batching.continuous;

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
import servelab.api.batch.PreemptMode;
import servelab.api.sched.Ordering;
import servelab.api.sched.SeqView;

/**
 * Iteration-level continuous batching (Yu et al., "Orca", OSDI'22) with vLLM v1's step rule: running sequences
 * first, in scheduler order, each with all its uncomputed tokens (1 for a decode) up to the token budget; then
 * waiting sequences in scheduler order while sequences, tokens and KV blocks (above the admission watermark)
 * last. With {@code chunked_prefill} a prompt larger than the remaining budget is split across steps, as in
 * vLLM v1 and Sarathi-Serve; without it such a prompt waits for a step with room.
 *
 * <p>When a running sequence needs a block and none is free, the last running sequence in scheduler order is
 * preempted (repeatedly, down to the sequence itself), and no new sequence is admitted in that step.
 *
 * <p>Cost: O(r + a) per step for r running and a admitted sequences; allocates nothing.
 */
@Component(service = PluginFactory.class)
public final class ContinuousBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "continuous", "1.0.0",
            "Continuous batching, running sequences first, chunked prefill, vLLM v1 budgets (Orca; vLLM).",
            List.of(ParamSpec.ofInt("max_num_seqs", 256, 1, 1 << 20, "most sequences in one step"),
                    ParamSpec.ofInt("max_num_batched_tokens", 8192, 1, 1 << 24, "most tokens computed in one step"),
                    ParamSpec.ofBoolean("chunked_prefill", true, "split prompts larger than the step's remaining budget"),
                    ParamSpec.ofChoice("preempt_mode", "recompute", List.of("recompute", "swap"),
                            "how a preempted sequence gives back its KV blocks")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new Policy(params.getInt("max_num_seqs"), params.getInt("max_num_batched_tokens"),
                params.getBoolean("chunked_prefill"),
                PreemptMode.valueOf(params.getString("preempt_mode").toUpperCase(java.util.Locale.ROOT)));
    }

    private record Policy(int maxSeqs, int maxTokens, boolean chunked, PreemptMode preemptMode) implements Batcher {
        @Override
        public void plan(Ordering order, BatchContext ctx, BatchPlan plan) {
            int tokens = maxTokens;
            int blocks = ctx.freeBlocks();
            List<SeqView> running = order.running();
            int end = running.size(); // sequences at [end, size) were preempted in this step
            boolean preempted = false;
            for (int i = 0; i < end && plan.sequences() < maxSeqs && tokens > 0; i++) {
                var seq = running.get(i);
                int n = Math.min(seq.uncomputedTokens(), tokens);
                int need = ctx.blocksNeeded(seq, n);
                while (need > blocks && end - 1 > i) { // free memory from the tail of the order
                    var victim = running.get(--end);
                    blocks += ctx.heldBlocks(victim);
                    plan.preempt(victim, preemptMode);
                    preempted = true;
                }
                if (need > blocks) { // nobody left to preempt but the sequence itself
                    plan.preempt(seq, preemptMode);
                    return;
                }
                blocks -= need;
                tokens -= n;
                if (n == 1 && seq.isDecoding()) plan.decode(seq); else plan.prefill(seq, n);
            }
            if (preempted) return; // like vLLM: no admissions in a step that had to preempt
            int headroom = ctx.admissionHeadroomBlocks();
            for (var seq : order.waiting()) {
                if (plan.sequences() >= maxSeqs || tokens == 0) break;
                int left = seq.uncomputedTokens() - ctx.cachedPrefixTokens(seq);
                if (left > tokens && !chunked) break;
                int n = Math.min(left, tokens);
                int need = ctx.blocksNeeded(seq, n);
                if (need > blocks - headroom) break;
                blocks -= need;
                tokens -= n;
                plan.prefill(seq, n);
            }
        }
    }
}
