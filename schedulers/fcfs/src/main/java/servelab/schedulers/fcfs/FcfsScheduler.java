package servelab.schedulers.fcfs;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;

/**
 * First come, first served: waiting requests by arrival, running ones in the order they were first scheduled, so
 * the most recently scheduled running request is preempted first (vLLM's default behaviour).
 *
 * <p>Cost: O(1) per call. The engine already keeps both queues in these orders, so the scheduler returns them
 * as they are.
 */
@Component(service = PluginFactory.class)
public final class FcfsScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "fcfs", "1.0.0",
            "First come, first served; preempts the most recently scheduled request first (vLLM default).",
            List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        return ctx -> new Ordering(ctx.running(), ctx.waiting());
    }
}
