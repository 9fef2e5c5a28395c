package servelab.plugins.resilience.retry;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.resilience.RetryPolicy;

/**
 * Retries every failure it is told to retry, up to {@code max_attempts} attempts, after an exponential backoff
 * with full jitter ({@link FullJitterBackoff}). Unbudgeted: under overload its retries add to the load that made
 * attempts fail, the retry storm of Bronson et al. ("Metastable Failures in Distributed Systems", HotOS 2021); see
 * {@code retry-budget} for the cure.
 *
 * <p>Cost per failure: O(1), one seeded draw; no state.
 */
@Component(service = PluginFactory.class)
public final class BackoffRetry implements PluginFactory<RetryPolicy> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.RETRY, "retry", "1.0.0",
            "Exponential backoff with full jitter (seeded), up to max_attempts attempts.", FullJitterBackoff.PARAMS);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public RetryPolicy create(Params params) {
        var backoff = FullJitterBackoff.of(params);
        return (failed, gateway) -> {
            var refusal = backoff.refusal(failed);
            return refusal.isPresent() ? refusal.get() : backoff.retry(failed);
        };
    }
}
