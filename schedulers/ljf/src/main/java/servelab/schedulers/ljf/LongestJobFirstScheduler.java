package servelab.schedulers.ljf;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.schedulers.common.LengthPredictor;
import servelab.schedulers.common.Rank;

/**
 * Longest job first: waiting requests with the most output tokens left go first, ties by arrival. SGLang's
 * {@code lof} ("longest output first", {@code schedule_policy.py}) ranks by {@code max_new_tokens}; ours takes the
 * same pluggable {@link LengthPredictor} as {@code sjf} ({@code key}: oracle, prompt, noisy-oracle, predicted),
 * so {@code key=oracle} is SGLang's rule in trace replay, where the output limit is the true length. Long jobs first
 * fill KV memory early, which helps throughput on offline batches and hurts mean latency online: the mirror image
 * of {@code sjf}, kept as its own plugin so experiments name it directly.
 *
 * <p>Running requests keep their order (victim: the most recently scheduled). Cost: O(w log w) per call.
 */
@Component(service = PluginFactory.class)
public final class LongestJobFirstScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "ljf", "1.0.0",
            "Longest job first by remaining output (oracle), prompt length or a predictor (SGLang lof).",
            LengthPredictor.params());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        var length = LengthPredictor.from(params);
        return ctx -> new Ordering(ctx.running(), Rank.byKey(ctx.waiting(), s -> -length.remainingTokens(s)));
    }
}
