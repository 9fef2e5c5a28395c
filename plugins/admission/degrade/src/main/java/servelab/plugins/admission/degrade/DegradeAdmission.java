package servelab.plugins.admission.degrade;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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
 * Graceful degradation: under load, serve a cheaper answer instead of none. Load is the mean number of waiting
 * requests per available replica outside {@code group} (the replicas the request would otherwise use); at
 * {@code load_threshold} or above, a request's output is capped at {@code max_tokens} (when it asks for more) and,
 * when {@code group} names a replica group with an available replica, it is sent there (a smaller model or cheaper
 * hardware). The decision is a {@code Degrade} whose reason says what was done and why; nothing is rejected. This
 * is the brownout idea (Klein et al., "Brownout: Building More Robust Cloud Applications", ICSE 2014) applied to
 * output length and model tier.
 *
 * <p>The replicas it is shown are the available ones, so a {@code group} none of whose replicas is available now
 * (partitioned, crashed, or never started by the autoscaler) degrades by the cap alone; a {@code group} that names no
 * replica group of the cluster is refused by the runtime when the experiment is read (it threw here, which stopped
 * a run whose group was merely unavailable).
 *
 * <p>Cost per decision: O(n) view reads; a degraded decision allocates its record.
 */
@Component(service = PluginFactory.class)
public final class DegradeAdmission implements PluginFactory<Admission> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ADMISSION, "degrade", "1.0.0",
            "Under load, caps max_tokens or sends requests to a cheaper replica group.",
            List.of(ParamSpec.ofDouble("load_threshold", 8, 0, 1e9,
                            "mean waiting requests per available replica at which requests are degraded"),
                    ParamSpec.ofInt("max_tokens", 256, 0, 1_000_000_000, "output cap under load (0: no cap)"),
                    ParamSpec.ofChoice("group", "", List.of(), "replica group to send requests to under load ('': none)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Admission create(Params params) {
        return new Degrader(params.getDouble("load_threshold"), params.getInt("max_tokens"), params.getString("group"));
    }

    record Degrader(double threshold, int maxTokens, String group) implements Admission {
        @Override
        public Decision admit(RequestView request, List<ReplicaView> replicas) {
            long waiting = 0;
            int counted = 0;
            boolean groupAvailable = false;
            for (var r : replicas) {
                if (!r.isAvailable()) continue;
                if (!group.isEmpty() && r.group().equals(group)) {
                    groupAvailable = true;
                } else {
                    waiting += r.waitingRequests();
                    counted++;
                }
            }
            double load = counted == 0 ? 0 : (double) waiting / counted;
            if (load < threshold) return ADMIT;
            boolean cap = maxTokens > 0 && request.maxOutputTokens() > maxTokens;
            if (!cap && !groupAvailable) return ADMIT;
            var what = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "load %.1f waiting per replica >= %s:", load, threshold));
            if (cap) what.append(" max_tokens ").append(request.maxOutputTokens()).append(" capped at ").append(maxTokens);
            if (groupAvailable) what.append(cap ? "," : "").append(" sent to group ").append(group);
            return new Degrade(cap ? OptionalInt.of(maxTokens) : OptionalInt.empty(),
                    groupAvailable ? Optional.of(group) : Optional.empty(), what.toString());
        }
    }
}
