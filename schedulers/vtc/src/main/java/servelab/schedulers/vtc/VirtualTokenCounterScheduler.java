package servelab.schedulers.vtc;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Scheduler;

/**
 * Fair share across tenants with the Virtual Token Counter of Sheng et al., "Fairness in Serving Large Language
 * Models" (OSDI'24), Algorithm 2 and its artifact ({@code slora/server/router/vtc_req_queue.py}): each tenant has a
 * counter of the service it received, {@code input_weight} per prompt token (charged once, when the request is
 * admitted) plus {@code output_weight} per generated token; the tenant with the smallest counter is served next.
 * When a tenant's queue goes from empty to non-empty its counter is lifted to the smallest counter among tenants
 * that were already waiting, so a tenant cannot bank as credit the service it did not ask for. The paper bounds the
 * difference in service between two continuously backlogged tenants by twice the largest cost of one request.
 *
 * <p>Where ours differs: the counters live in the policy (the engine owns requests), and the service is derived from
 * the views' token counts between calls, so a charge lands one step after the work it pays for. A request that finishes
 * between two calls is charged its remaining prompt and output (its output limit, exact in trace replay), when that is
 * no more than one step makes (the most a request was seen to gain between two calls, drafts included); one with more
 * left left before finishing (cancelled, failed, timed out) and is charged nothing more, as it was served nothing more.
 * The paper picks requests one at a time while the batch has room; here the scheduler emits the whole waiting queue in
 * that pick order (charging each pick's prompt tentatively), and the batcher admits from its head while memory lasts,
 * which is the same sequence of picks. The paper lifts a counter when a request arrives to an empty queue; a scheduler
 * sees the queues only at step boundaries, so a tenant counts as newly waiting when none of the requests it had waiting
 * at the last call still waits (its queue emptied during the step). When no other tenant kept waiting, the floor is the
 * counter of the tenant whose queue emptied last, where the artifact lifts nothing. Running requests keep their order
 * (victim: the most recently scheduled). A VTC swapped in mid-run starts with zero counters.
 *
 * <p>Cost: O((r + w) + w log t) per call for r running and w waiting requests of t tenants; state: one entry per
 * tenant and per request not yet finished.
 */
@Component(service = PluginFactory.class)
public final class VirtualTokenCounterScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "vtc", "1.0.0",
            "Fair share across tenants by virtual token counters with counter lift (VTC, Sheng et al., OSDI'24).",
            List.of(ParamSpec.ofDouble("input_weight", 1.0, 0.0, 1e6, "counter charge per prompt token (w_p; paper: 1)"),
                    ParamSpec.ofDouble("output_weight", 2.0, 0.0, 1e6,
                            "counter charge per generated token (w_q; paper: 2)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        return new TokenCounters(params.getDouble("input_weight"), params.getDouble("output_weight"));
    }
}
