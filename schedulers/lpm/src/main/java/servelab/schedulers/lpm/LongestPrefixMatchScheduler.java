package servelab.schedulers.lpm;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.schedulers.common.Rank;

/**
 * Longest prefix match, SGLang's cache-aware policy (Zheng et al., "SGLang: Efficient Execution of Structured
 * Language Model Programs", NeurIPS'24, §3; {@code schedule_policy.py}): waiting requests with the most prompt
 * tokens already in the prefix cache go first, ties by arrival. Serving requests that share a cached prefix
 * together keeps that prefix from being evicted between them, which raises the hit rate.
 *
 * <p>Matching every waiting prompt against the cache costs time proportional to the queue, so past
 * {@code fallback_queue_size} waiting requests (SGLang: 128) the order falls back to FCFS and no match is asked
 * for. The match lengths come from {@code ctx.cachedPrefixTokens(seq)}, computed on demand by the engine; without a
 * prefix cache they are all 0 and LPM orders exactly as FCFS.
 *
 * <p>Where ours differs: SGLang also holds back a request whose prefix matches another waiting request (in-batch
 * prefix caching) so the second one hits the cache the first one fills; that needs the waiting prompts' tokens,
 * which the SPI does not lend to schedulers. Running requests keep their order (victim: the most recently
 * scheduled).
 *
 * <p>Cost: O(w log w) plus w cache look-ups per call up to {@code fallback_queue_size} waiting, O(1) beyond.
 */
@Component(service = PluginFactory.class)
public final class LongestPrefixMatchScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "lpm", "1.0.0",
            "Longest cached prefix first (SGLang LPM); FCFS when more than fallback_queue_size wait.",
            List.of(ParamSpec.ofInt("fallback_queue_size", 128, 0, Integer.MAX_VALUE,
                    "waiting requests above which the order falls back to FCFS, as SGLang does past 128")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        int fallback = params.getInt("fallback_queue_size");
        return ctx -> ctx.waiting().size() > fallback ? new Ordering(ctx.running(), ctx.waiting())
                : new Ordering(ctx.running(), Rank.byKey(ctx.waiting(), seq -> -(long) ctx.cachedPrefixTokens(seq)));
    }
}
