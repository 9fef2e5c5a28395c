package servelab.plugins.resilience.retry;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.RetryPolicy;

/**
 * {@code retry} under a retry budget, as Envoy's {@code retry_budget} (circuit breakers of a cluster): a retry is
 * allowed only while the retries in flight are fewer than {@code max(min_retry_concurrency, budget_percent% of the
 * live requests)}; otherwise the request gives up. Envoy's defaults: 20% and 3. The budget caps how much extra
 * load retries can add (at most a fifth on top of the live requests), so an overload cannot feed itself through
 * retries and a metastable retry storm ends when the trigger does.
 *
 * <p>Where ours differs: Envoy counts active plus pending requests of the cluster; the gateway's live requests are
 * the same set (admitted and not ended), each counted once however many attempts it has.
 *
 * <p>Cost per failure: O(1); no state.
 */
@Component(service = PluginFactory.class)
public final class BudgetedRetry implements PluginFactory<RetryPolicy> {
    private static final PluginDescriptor DESCRIPTOR;

    static {
        var params = new ArrayList<>(FullJitterBackoff.PARAMS);
        params.add(ParamSpec.ofDouble("budget_percent", 20, 0, 100,
                "retries in flight allowed, as a percentage of the live requests (Envoy: 20)"));
        params.add(ParamSpec.ofInt("min_retry_concurrency", 3, 0, 1 << 30,
                "retries in flight always allowed, whatever the percentage gives (Envoy: 3)"));
        DESCRIPTOR = new PluginDescriptor(PluginKind.RETRY, "retry-budget", "1.0.0",
                "retry, but only while retries in flight stay within a budget of live requests (Envoy).",
                List.copyOf(params));
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public RetryPolicy create(Params params) {
        if (params.getDouble("budget_percent") == 0 && params.getInt("min_retry_concurrency") == 0) {
            throw new IllegalArgumentException("parameter 'budget_percent' is 0 and so is min_retry_concurrency, "
                    + "which allows no retry; for no retries, use the retry plugin 'none'");
        }
        return new Budgeted(FullJitterBackoff.of(params), params.getDouble("budget_percent"),
                params.getInt("min_retry_concurrency"));
    }

    /** The backoff behind a budget check. */
    record Budgeted(FullJitterBackoff backoff, double budgetPercent, int minRetryConcurrency) implements RetryPolicy {
        @Override
        public Decision onFailure(AttemptEnd failed, GatewayView gateway) {
            var refusal = backoff.refusal(failed);
            if (refusal.isPresent()) return refusal.get();
            long limit = limit(gateway.liveRequests());
            if (gateway.liveRetries() >= limit) {
                return new GiveUp("retry budget exhausted: " + gateway.liveRetries() + " retries in flight, limit "
                        + limit + " = max(" + minRetryConcurrency + ", " + budgetPercent + "% of "
                        + gateway.liveRequests() + " live requests)");
            }
            return backoff.retry(failed);
        }

        /** Retries in flight allowed with {@code liveRequests} live. */
        long limit(int liveRequests) {
            return Math.max(minRetryConcurrency, (long) Math.floor(budgetPercent / 100 * liveRequests));
        }
    }
}
