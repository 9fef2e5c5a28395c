package servelab.schedulers.sjf;

import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;

/**
 * Shortest job first: waiting requests with the fewest tokens left to generate go first. With {@code key=oracle}
 * the job length is the request's true output length ({@link SeqView#maxOutputTokens()}; in trace replay this is
 * oracle knowledge, an upper bound on what a predictor can give); with {@code key=prompt} it is the prompt length,
 * a proxy a real server has. Running requests keep their order (no preemption for priority).
 *
 * <p>Cost: O(w log w) per call for w waiting requests (one sort of a copy of the queue).
 */
@Component(service = PluginFactory.class)
public final class ShortestJobFirstScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "sjf", "1.0.0",
            "Shortest job first by remaining output (oracle) or prompt length; ties by arrival.",
            List.of(ParamSpec.ofChoice("key", "oracle", List.of("oracle", "prompt"),
                    "job length: oracle = true remaining output tokens, prompt = prompt tokens")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        Comparator<SeqView> length = params.getString("key").equals("oracle")
                ? Comparator.comparingInt(s -> s.maxOutputTokens() - s.outputTokens())
                : Comparator.comparingInt(SeqView::promptTokens);
        var order = length.thenComparingLong(SeqView::arrivalNanos).thenComparingLong(SeqView::id);
        return ctx -> new Ordering(ctx.running(), ctx.waiting().stream().sorted(order).toList());
    }
}
