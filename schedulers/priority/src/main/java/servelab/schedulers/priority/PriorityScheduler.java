package servelab.schedulers.priority;

import java.util.List;
import java.util.function.ToLongFunction;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;
import servelab.schedulers.common.Rank;

/**
 * Priority scheduling as vLLM v1 does it ({@code --scheduling-policy priority}): waiting requests by priority
 * (smaller is more urgent), then arrival. With {@code preempt} (default) the running queue is ordered the same way,
 * so when KV memory runs out the least urgent running request (the latest scheduled among equals) is preempted
 * first, as vLLM v1 picks {@code max(running, key=(priority, arrival))}; without it running requests keep their
 * first-scheduled order and the victim is the most recently scheduled one, as with FCFS.
 *
 * <p>Priorities come from the trace ({@link SeqView#priority()}), or from a rule: {@code tenant_priorities}
 * ({@code "gold=0,free=2"}) gives every request of a listed tenant that priority, and others keep the trace's.
 *
 * <p>Where ours differs: vLLM v0's priority mode also preempted running requests to admit a more urgent waiting
 * one. Here the batcher preempts only when a running request needs memory; a scheduler cannot ask for more through
 * the SPI, so a more urgent arrival waits for free memory rather than evicting a running request.
 *
 * <p>Cost: O(r log r + w log w) per call with {@code preempt}, O(w log w) without.
 */
@Component(service = PluginFactory.class)
public final class PriorityScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "priority", "1.0.0",
            "Most urgent priority first, then arrival; least urgent running request preempted first (vLLM v1).",
            List.of(ParamSpec.ofBoolean("preempt", true,
                            "order running requests by priority too, so the least urgent is the first preemption victim"),
                    ParamSpec.ofChoice("tenant_priorities", "", List.of(),
                            "rule: comma-separated tenant=priority pairs overriding the trace's priority, e.g. gold=0,free=2")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        ToLongFunction<SeqView> priority = TenantPriorities.parse(params.getString("tenant_priorities"))::of;
        boolean preempt = params.getBoolean("preempt");
        return ctx -> new Ordering(preempt ? Rank.byKey(ctx.running(), priority) : ctx.running(),
                Rank.byKey(ctx.waiting(), priority));
    }
}
