package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;

/**
 * The resilience and autoscaling bundles in a real Felix framework: every plugin is installed under its kind, and
 * the circuit breaker, whose bundle carries Resilience4j privately (and logs through the host's SLF4J), loads and
 * opens on the run's clock inside OSGi.
 */
class ResiliencePluginsTest {
    @TempDir Path work;

    /** A gateway at {@code nowNanos} with 2 replicas; the breaker reads only the clock and the replica count. */
    private record At(long nowNanos) implements GatewayView {
        @Override public int liveRequests() { return 1; }
        @Override public int liveRetries() { return 0; }
        @Override public int liveHedges() { return 0; }
        @Override public int replicas() { return 2; }
        @Override public long recentLatencyNanos(double quantile) { return 0; }
    }

    @Test
    void everyResiliencePluginIsInstalledUnderItsKind() throws Exception {
        var plugins = TestBundles.resiliencePlugins(work.resolve("plugins"));
        try (var testbed = Testbed.start(plugins, (t, k, f, to, d) -> {})) {
            var installed = testbed.registry().installed().stream()
                    .filter(p -> p.descriptor().kind().ordinal() >= PluginKind.RETRY.ordinal())
                    .map(p -> p.descriptor().kind() + " " + p.descriptor().name()).sorted().toList();
            assertEquals(List.of("autoscaler none", "autoscaler slo-driven", "autoscaler target-queue",
                    "autoscaler target-utilisation", "breaker circuit-breaker", "breaker none", "breaker outlier-ejection",
                    "hedge hedge", "hedge none", "retry none", "retry retry", "retry retry-budget"), installed);
        }
    }

    @Test
    void theCircuitBreakerRunsResilience4jInsideItsBundleOnTheRunsClock() throws Exception {
        var plugins = TestBundles.resiliencePlugins(work.resolve("plugins"));
        try (var testbed = Testbed.start(plugins, (t, k, f, to, d) -> {})) {
            var installed = testbed.registry().instantiate(new PluginSelection(PluginKind.BREAKER, "circuit-breaker",
                    Map.of("sliding_window_size", 2, "minimum_calls", 2, "wait_open_ms", 1000)));
            var breaker = (Breaker) installed.policy();
            // the policy's class comes from the bundle, not from the test class path
            assertNotSame(getClass().getClassLoader(), breaker.getClass().getClassLoader());
            // when: replica 1 fails twice (a full window at 100%)
            for (int i = 1; i <= 2; i++) {
                long t = i * 1_000_000L;
                breaker.onEnd(new AttemptEnd(7, i - 1, false, 1, AttemptEnd.Result.CRASHED, 0, t, i), new At(t));
            }
            // then: it is out until 1 s of the run's clock has passed, then half-open; replica 0 never was
            assertFalse(breaker.allows(1, new At(500_000_000L)));
            assertTrue(breaker.allows(0, new At(500_000_000L)));
            assertTrue(breaker.allows(1, new At(1_100_000_000L)));
        }
    }
}
