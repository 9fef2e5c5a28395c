package servelab.plugins.batching.continuous;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.plugins.batching.common.BatchLimits;

/**
 * Iteration-level continuous batching (Yu et al., "Orca", OSDI'22) with vLLM v1's step rule: running sequences
 * first, in scheduler order, each with all its uncomputed tokens (1 for a decode) up to the token budget; then
 * waiting sequences in scheduler order while sequences, tokens and KV blocks (above the admission watermark)
 * last. With {@code chunked_prefill} a prompt larger than the remaining budget is split across steps, as in
 * vLLM v1 and Sarathi-Serve; without it such a prompt waits for a step with room, and one that no step could hold
 * (over {@code max_num_batched_tokens}, or a preempted sequence's recompute grown past it) is split into
 * budget-sized chunks instead of stalling the replica (vLLM refuses to start when chunked prefill is off and
 * {@code max_num_batched_tokens < max_model_len}).
 *
 * <p>The same policy is registered as {@code decode-first-mixed} ({@link DecodeFirstMixedBatcher}), its name in
 * the list of paper-matching batchers. Unlike Sarathi-Serve's {@code chunked-prefill}, a running sequence still in
 * its prompt takes its chunk in scheduler order, ahead of decodes behind it, and chunks are not capped per sequence.
 *
 * <p>When a running sequence needs a block and none is free, the last running sequence in scheduler order is
 * preempted (repeatedly, down to the sequence itself), and no new sequence is admitted in that step.
 *
 * <p>Parameters: {@code max_num_seqs} (256), {@code max_num_batched_tokens} (8192), {@code chunked_prefill}
 * (true), {@code preempt_mode} (recompute | swap), {@code speculative_disable_by_batch_size} (0). Cost: O(r + a) per step for r running and a admitted
 * sequences; allocates nothing.
 */
@Component(service = PluginFactory.class)
public final class ContinuousBatcher implements PluginFactory<Batcher> {
    static final List<ParamSpec> PARAMS = List.of(BatchLimits.maxNumSeqsParam(256), BatchLimits.maxNumBatchedTokensParam(8192),
            ParamSpec.ofBoolean("chunked_prefill", true, "split prompts larger than the step's remaining budget"),
            BatchLimits.preemptModeParam(), BatchLimits.specDisableBatchSizeParam());
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "continuous", "1.0.0",
            "Continuous batching, running sequences first, chunked prefill, vLLM v1 budgets (Orca; vLLM).", PARAMS);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new RunningFirstPolicy(BatchLimits.from(params), params.getBoolean("chunked_prefill"));
    }
}
