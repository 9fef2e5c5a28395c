package servelab.plugins.batching.continuous;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.plugins.batching.common.BatchLimits;

/**
 * vLLM v1's default step ({@code vllm/v1/core/sched/scheduler.py}): running requests first, then waiting ones,
 * prompts chunked to fit {@code max_num_batched_tokens}, so decodes and prefill chunks share a step. This is the
 * {@code continuous} batcher under the name the policy library's comparisons use; it takes the same parameters
 * and runs the same code ({@link RunningFirstPolicy}).
 */
@Component(service = PluginFactory.class)
public final class DecodeFirstMixedBatcher implements PluginFactory<Batcher> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BATCHER, "decode-first-mixed",
            "1.0.0", "vLLM v1 default: running sequences first, then chunked prompts in one mixed step (= continuous).",
            ContinuousBatcher.PARAMS);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Batcher create(Params params) {
        return new RunningFirstPolicy(BatchLimits.from(params), params.getBoolean("chunked_prefill"));
    }
}
