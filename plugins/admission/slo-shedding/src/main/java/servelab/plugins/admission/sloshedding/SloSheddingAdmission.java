package servelab.plugins.admission.sloshedding;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;

/**
 * SLO-aware shedding: reject a request that would miss its TTFT SLO anyway, so the capacity goes to requests that
 * can still meet theirs: goodput rather than throughput, the trade the BLIS comparison measures (routing
 * plus admission against round-robin, with part of the load shed). The predicted TTFT on a replica is
 * {@code max(recent TTFT, (queued prefill tokens + this prompt) / prefill_tokens_per_s)}: the queue term reacts
 * to a burst at once, the recent TTFT the view reports (when {@code use_recent_ttft}) carries what the queue term
 * misses, such as decode pressure. The request is rejected when even the best available replica predicts more
 * than {@code ttft_slo_ms}; the reason gives both numbers.
 *
 * <p>Cost per decision: O(n) view reads, no allocation when admitting.
 */
@Component(service = PluginFactory.class)
public final class SloSheddingAdmission implements PluginFactory<Admission> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ADMISSION, "slo-shedding",
            "1.0.0", "Rejects a request whose predicted TTFT on the best replica exceeds the SLO.",
            List.of(ParamSpec.ofDouble("ttft_slo_ms", 1000, 0, 1e9, "TTFT objective, milliseconds"),
                    ParamSpec.ofDouble("prefill_tokens_per_s", 10_000, 1, 1e12,
                            "prefill throughput of one replica, for the queue term"),
                    ParamSpec.ofBoolean("use_recent_ttft", true, "let the view's recent TTFT raise the prediction")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Admission create(Params params) {
        var predictor = new Predictor(params.getDouble("prefill_tokens_per_s"), params.getBoolean("use_recent_ttft"));
        double sloNanos = params.getDouble("ttft_slo_ms") * 1e6;
        return (request, replicas) -> {
            double best = Double.POSITIVE_INFINITY;
            for (var r : replicas) if (r.isAvailable()) best = Math.min(best, predictor.ttftNanos(request, r));
            if (best == Double.POSITIVE_INFINITY) return new Admission.Reject("no replica is available");
            if (best <= sloNanos) return Admission.ADMIT;
            return new Admission.Reject(String.format(java.util.Locale.ROOT,
                    "predicted TTFT %.0f ms on the best replica exceeds the SLO of %.0f ms", best / 1e6, sloNanos / 1e6));
        };
    }

    record Predictor(double prefillTokensPerSecond, boolean useRecentTtft) {
        double ttftNanos(RequestView request, ReplicaView r) {
            double queue = (r.waitingTokens() + request.promptTokens()) / prefillTokensPerSecond * 1e9;
            return useRecentTtft ? Math.max(queue, r.recentTtftNanos()) : queue;
        }
    }
}
