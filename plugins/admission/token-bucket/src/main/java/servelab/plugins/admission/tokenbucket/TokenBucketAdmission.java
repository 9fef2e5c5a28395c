package servelab.plugins.admission.tokenbucket;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.RequestView;

/**
 * Per-tenant rate limiting with token buckets (the classic traffic-shaping bucket; Envoy's local rate limit, the
 * per-user limits of hosted LLM APIs): each tenant's bucket holds up to {@code burst} and refills at {@code rate}
 * per second of the run's clock, read from the request's decision time, so simulated and real runs limit alike.
 * A request costs 1 ({@code unit: requests}) or its prompt plus output limit ({@code unit: tokens}); it is admitted
 * when the bucket holds that much, else rejected with the tenant's budget as the reason. A bucket starts full.
 *
 * <p>Cost per decision: one hash lookup by tenant; the first request of a tenant allocates its bucket.
 */
@Component(service = PluginFactory.class)
public final class TokenBucketAdmission implements PluginFactory<Admission> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ADMISSION, "token-bucket",
            "1.0.0", "Per-tenant token buckets: rate and burst, on the run's clock.",
            List.of(ParamSpec.ofDouble("rate", 10, 0, 1e12, "refill per second, in units"),
                    ParamSpec.ofDouble("burst", 20, 1, 1e15, "bucket size, in units"),
                    ParamSpec.ofChoice("unit", "requests", List.of("requests", "tokens"),
                            "requests: each request costs 1; tokens: prompt + max output tokens")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Admission create(Params params) {
        return new Buckets(params.getDouble("rate"), params.getDouble("burst"),
                params.getString("unit").equals("tokens"));
    }

    static final class Buckets implements Admission {
        private final double rate;
        private final double burst;
        private final boolean tokens;
        private final Map<String, Bucket> byTenant = new HashMap<>();

        Buckets(double rate, double burst, boolean tokens) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = tokens;
        }

        @Override
        public Decision admit(RequestView request, List<servelab.api.route.ReplicaView> replicas) {
            long now = request.decisionNanos();
            var bucket = byTenant.computeIfAbsent(request.tenant(), t -> new Bucket(burst, now));
            bucket.refill(now, rate, burst);
            double cost = tokens ? (double) request.promptTokens() + request.maxOutputTokens() : 1;
            if (bucket.level >= cost) {
                bucket.level -= cost;
                return ADMIT;
            }
            String unit = tokens ? "tokens" : "requests";
            return new Reject("tenant '" + request.tenant() + "' over its rate: needs " + (long) Math.ceil(cost) + " "
                    + unit + ", bucket holds " + (long) Math.floor(bucket.level) + " (rate " + rate + " " + unit
                    + "/s, burst " + burst + ")");
        }
    }

    static final class Bucket {
        double level;
        long lastNanos;

        Bucket(double level, long lastNanos) {
            this.level = level;
            this.lastNanos = lastNanos;
        }

        void refill(long now, double rate, double burst) {
            if (now > lastNanos) {
                level = Math.min(burst, level + rate * (now - lastNanos) / 1e9);
                lastNanos = now;
            }
        }
    }
}
