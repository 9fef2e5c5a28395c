package servelab.plugins.resilience.breaker;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.resilience.Breaker;

/**
 * Envoy's outlier detection by consecutive errors ({@code outlier_detection} of a cluster, consecutive_5xx): a
 * replica whose last {@code consecutive_5xx} attempts all failed (crashed, unreachable, timed out) is ejected, hidden
 * from the router, for {@code base_ejection_ms} times the number of times it has been ejected, capped at
 * {@code max_ejection_ms}. With {@code slow_answer_ms} set, an answer slower than that counts as a failure in the
 * run (a latency outlier, which Envoy's consecutive detectors do not have).
 *
 * <p>The cap on ejected replicas follows Envoy's documented algorithm: if no replica is ejected, the outlier is
 * ejected at once; otherwise only while the ejected replicas are below {@code max_ejection_percent} of all
 * replicas. So at least one replica can always be ejected, whatever the percentage (10 replicas at 10%: one;
 * 20 at 10%: two). An outlier refused by the cap keeps its count and is ejected at its next failure if room has
 * been made.
 *
 * <p>Where ours differs from Envoy: an ejection ends exactly when its time is up (Envoy un-ejects at its next
 * {@code interval} sweep, 10 s by default), and the ejection count never decays (newer Envoy lowers it while the
 * host stays healthy).
 *
 * <p>Cost: O(1) per question and per end, with a running count of ejected replicas.
 */
@Component(service = PluginFactory.class)
public final class OutlierEjection implements PluginFactory<Breaker> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BREAKER, "outlier-ejection",
            "1.0.0", "Envoy-style outlier ejection: consecutive failures eject a replica, with a cap on ejected replicas.",
            List.of(ParamSpec.ofInt("consecutive_5xx", 5, 1, 1_000_000,
                            "failed attempts in a row that make a replica an outlier (Envoy: 5)"),
                    ParamSpec.ofDouble("base_ejection_ms", 30_000, 0, 86_400_000,
                            "ejection time per time ejected, milliseconds, above 0 (Envoy: 30 s)"),
                    ParamSpec.ofDouble("max_ejection_ms", 300_000, 0, 86_400_000,
                            "longest ejection, milliseconds (Envoy: 300 s, or base_ejection_ms if larger)"),
                    ParamSpec.ofDouble("max_ejection_percent", 10, 0, 100,
                            "replicas ejected at once, percent of all; one may always be (Envoy: 10)"),
                    ParamSpec.ofDouble("slow_answer_ms", 0, 0, 86_400_000,
                            "answers slower than this count as failures, milliseconds; 0: latency is not judged")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Breaker create(Params params) {
        long base = Math.round(params.getDouble("base_ejection_ms") * 1e6);
        if (base <= 0) { // an ejection of 0 ns ended before the next question: a 'none' that said it ejected
            throw new IllegalArgumentException("parameter 'base_ejection_ms' is " + params.getDouble("base_ejection_ms")
                    + ", which ejects no replica for any time; for no breaker, use the breaker plugin 'none'");
        }
        return new Ejections(new Ejections.Settings(params.getInt("consecutive_5xx"), base,
                Math.max(base, Math.round(params.getDouble("max_ejection_ms") * 1e6)),
                params.getDouble("max_ejection_percent"), Math.round(params.getDouble("slow_answer_ms") * 1e6)));
    }
}
