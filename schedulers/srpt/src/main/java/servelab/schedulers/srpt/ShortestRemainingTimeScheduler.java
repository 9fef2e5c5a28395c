package servelab.schedulers.srpt;

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
 * Shortest remaining processing time (Schrage, "A proof of the optimality of the shortest remaining processing
 * time discipline", Operations Research 1968), the preemptive form of SJF: running <em>and</em> waiting requests
 * ordered by output tokens still to generate ({@link LengthPredictor}, {@code key}). Ordering the running queue
 * gives the shortest jobs the step's token budget first and makes the job with the most work left the first victim
 * when KV memory runs out.
 *
 * <p>Where ours differs from textbook SRPT: the scheduler only orders; the batcher preempts when memory runs out,
 * not whenever a shorter job arrives, so a short arrival waits for memory rather than evicting a long job that
 * still fits. Prompt work is not counted in the remaining time: when decode steps are memory-bound a whole prompt
 * costs about as much as a few decode steps.
 *
 * <p>Cost: O(r log r + w log w) per call.
 */
@Component(service = PluginFactory.class)
public final class ShortestRemainingTimeScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "srpt", "1.0.0",
            "Shortest remaining processing time: running and waiting by output left; longest left preempted first.",
            LengthPredictor.params());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        var length = LengthPredictor.from(params);
        return ctx -> new Ordering(Rank.byKey(ctx.running(), length::remainingTokens),
                Rank.byKey(ctx.waiting(), length::remainingTokens));
    }
}
