package servelab.schedulers.sjf;

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
 * Shortest job first: waiting requests with the fewest output tokens left to generate go first, ties by arrival.
 * The job length comes from a pluggable {@link LengthPredictor} ({@code key}): {@code oracle} (the true length,
 * an upper bound on what prediction can give, as in the SJF upper bounds of Fu et al., "Efficient LLM Scheduling by
 * Learning to Rank", NeurIPS'24), {@code prompt} (input-length proxy), {@code noisy-oracle} (the true length with
 * log-normal error, {@code noise_sigma}, {@code seed}) or {@code predicted} (the engine's prediction; none exists
 * yet, so it falls back to the prompt proxy).
 *
 * <p>Non-preemptive: running requests keep the order they were first scheduled in, so the victim under memory
 * pressure is the most recently scheduled one, as with FCFS ({@code srpt} orders them by length too).
 *
 * <p>Cost: O(w log w) per call for w waiting requests (one key per request, one stable sort).
 */
@Component(service = PluginFactory.class)
public final class ShortestJobFirstScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "sjf", "1.0.0",
            "Shortest job first by remaining output (oracle), prompt length or a predictor; ties by arrival.",
            LengthPredictor.params());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        var length = LengthPredictor.from(params);
        return ctx -> new Ordering(ctx.running(), Rank.byKey(ctx.waiting(), length::remainingTokens));
    }
}
