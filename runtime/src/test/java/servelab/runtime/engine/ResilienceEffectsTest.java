package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import servelab.api.PluginKind;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.plugins.resilience.breaker.OutlierEjection;
import servelab.plugins.resilience.hedge.QuantileHedge;
import servelab.plugins.resilience.retry.BackoffRetry;
import servelab.plugins.resilience.retry.BudgetedRetry;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RequestRow.Outcome;

/**
 * The direction of issue 14's resilience effects 1-4 on small seeded clusters (toy cost model: 1 ms per step plus
 * 1 us per token), with the resilience bundles' own policies. These tests check which way each effect goes, not a
 * tuned number; runtime/benchmarks/run resilience measures them on the H100 cost model (RESILIENCE-EFFECTS.md).
 */
class ResilienceEffectsTest {
    private static final long MS = 1_000_000L;
    /** Spreads requests evenly: request i's first attempt to candidate i mod n, a retry or hedge to the next. */
    private static final Router SPREAD = (r, v) -> v.get((int) ((r.id() + r.attempt()) % v.size())).index();

    private static Object policy(servelab.api.PluginFactory<?> factory, Map<String, Object> params) {
        return TinyEngine.installed(factory, params).policy();
    }

    private static List<TraceRequest> poisson(long seed, int count, double perMs, int output) {
        var rnd = new SplittableRandom(seed);
        var trace = new ArrayList<TraceRequest>();
        double t = 0;
        for (int i = 0; i < count; i++) {
            t += -Math.log(1 - rnd.nextDouble()) / perMs;
            trace.add(TinyCluster.request(i, t, 16 + rnd.nextInt(32), output));
        }
        return trace;
    }

    private static TinyCluster.Rows run(int replicas, int blocks, GatewaySettings gateway, Map<PluginKind, Object> policies,
                                        List<Fault> faults, List<TraceRequest> trace) {
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(replicas, "default"), gateway);
        var cluster = new TinyCluster(replicas, blocks, SPREAD, options, policies);
        cluster.simulation.faults(faults, new long[replicas]);
        return cluster.run(trace);
    }

    private static double percentileMs(List<RequestRow> rows, double q) {
        double[] e2el = rows.stream().filter(RequestRow::isOk)
                .mapToDouble(r -> (r.completionNanos() - r.arrivalNanos()) / 1e6).sorted().toArray();
        return e2el[(int) Math.min(e2el.length - 1, Math.ceil(q * e2el.length) - 1)];
    }

    @Test
    void hedgingAfterTheRecentP95CutsTheTailOneStragglerCausesForALittleMoreWork() {
        // given: 4 replicas, replica 0 steps 10x slower all run; 400 requests of 20 tokens at 0.5 per ms
        var trace = poisson(1, 400, 0.5, 20);
        var straggler = List.<Fault>of(new Fault.Straggle(0, 10_000 * MS, 0, 10));
        var gateway = new GatewaySettings(0, 0, true, "", 100, 1);
        var plain = run(4, 256, gateway, Map.of(), straggler, trace).requests;
        var hedged = run(4, 256, gateway, Map.of(PluginKind.HEDGE, policy(new QuantileHedge(),
                Map.of("quantile", 0.95, "min_delay_ms", 1.0))), straggler, trace).requests;
        // then: p99 falls by more than half; copies sent are a minority of requests
        double p99Plain = percentileMs(plain, 0.99), p99Hedged = percentileMs(hedged, 0.99);
        assertTrue(p99Hedged < p99Plain / 2, "p99 " + p99Plain + " ms -> " + p99Hedged + " ms");
        long hedges = hedged.stream().mapToLong(r -> r.gateway().hedges()).sum();
        assertTrue(hedges > 0 && hedges < trace.size() * 0.4, hedges + " hedges for " + trace.size() + " requests");
        assertEquals(trace.size(), hedged.stream().filter(RequestRow::isOk).count());
    }

    /** Requests arriving in [fromMs, toMs) answered within the deadline, as a fraction of those arriving then. */
    private static double goodputShare(List<RequestRow> rows, double fromMs, double toMs) {
        long n = 0, good = 0;
        for (var r : rows) {
            double at = r.arrivalNanos() / 1e6;
            if (at < fromMs || at >= toMs) continue;
            n++;
            if (r.gateway().outcome() == Outcome.COMPLETED) good++;
        }
        return (double) good / n;
    }

    @Test
    void unbudgetedRetriesKeepGoodputDownAfterAShortOverloadWhileABudgetLetsItRecover() {
        // given: 2 replicas near capacity; from 100 to 200 ms both step 6x slower (the trigger); attempts time out
        // after 60 ms and the request after 400 ms; retries at once-ish, up to 20 attempts
        var trace = poisson(2, 1200, 1.2, 10);
        var trigger = List.<Fault>of(new Fault.Straggle(100 * MS, 200 * MS, 0, 6), new Fault.Straggle(100 * MS, 200 * MS, 1, 6));
        var gateway = new GatewaySettings(400 * MS, 60 * MS, false, "", 100, 2);
        var retry = Map.<String, Object>of("max_attempts", 20, "base_ms", 2.0, "cap_ms", 10.0);
        var budget = new java.util.HashMap<String, Object>(retry);
        budget.put("budget_percent", 10.0);
        budget.put("min_retry_concurrency", 1);
        var storm = run(2, 96, gateway, Map.of(PluginKind.RETRY, policy(new BackoffRetry(), retry)), trigger, trace).requests;
        var budgeted = run(2, 96, gateway, Map.of(PluginKind.RETRY, policy(new BudgetedRetry(), budget)), trigger, trace)
                .requests;
        // then: well after the trigger ended, the budgeted cluster answers more of its requests than the storm does
        double after = trace.getLast().arrivalNanos() / 1e6;
        double stormAfter = goodputShare(storm, 400, after), budgetAfter = goodputShare(budgeted, 400, after);
        assertTrue(budgetAfter > stormAfter, "goodput share after the trigger: unbudgeted " + stormAfter + ", budgeted "
                + budgetAfter);
        long stormAttempts = storm.stream().mapToLong(r -> r.gateway().attempts()).sum();
        long budgetAttempts = budgeted.stream().mapToLong(r -> r.gateway().attempts()).sum();
        assertTrue(stormAttempts > budgetAttempts, stormAttempts + " vs " + budgetAttempts + " attempts");
    }

    @Test
    void ejectingAReplicaWhoseAnswersAreLostRestoresTheTail() {
        // given: 4 replicas; every answer of replica 1 is lost; attempts time out after 50 ms and are retried
        var trace = poisson(3, 1600, 0.5, 10);
        var lossy = List.<Fault>of(new Fault.LostResponses(0, 10_000 * MS, 1, 1.0));
        var gateway = new GatewaySettings(0, 50 * MS, false, "", 100, 3);
        var retry = policy(new BackoffRetry(), Map.of("max_attempts", 3, "base_ms", 1.0));
        var plain = run(4, 256, gateway, Map.of(PluginKind.RETRY, retry), lossy, trace).requests;
        var ejecting = run(4, 256, gateway, Map.of(PluginKind.RETRY, policy(new BackoffRetry(), Map.of("max_attempts", 3,
                "base_ms", 1.0)), PluginKind.BREAKER, policy(new OutlierEjection(), Map.of("consecutive_5xx", 3,
                "base_ejection_ms", 10_000.0, "max_ejection_percent", 50.0))), lossy, trace).requests;
        // then: without ejection about a quarter of requests wait out a timeout (p99 above 50 ms); with it only
        // those sent before the ejection do, under 1%
        long slowPlain = plain.stream().filter(r -> r.gateway().attempts() > 1).count();
        long slowEjecting = ejecting.stream().filter(r -> r.gateway().attempts() > 1).count();
        assertTrue(slowEjecting * 20 < slowPlain && slowEjecting < trace.size() / 100, slowPlain + " retried requests without ejection, " + slowEjecting + " with");
        assertTrue(percentileMs(ejecting, 0.99) < 50 && percentileMs(plain, 0.99) > 50,
                "p99 " + percentileMs(plain, 0.99) + " ms -> " + percentileMs(ejecting, 0.99) + " ms");
    }

    @Test
    void withRetriesEveryRequestOfACrashedReplicaCompletesAndWithoutThemTheyFail() {
        // given: 4 replicas, replica 2 crashes at 60 ms and restarts; requests of 30 tokens
        var trace = poisson(4, 200, 0.8, 30);
        var crash = List.<Fault>of(new Fault.Crash(60 * MS, 2, true, 20 * MS));
        var gateway = new GatewaySettings(0, 0, true, "", 100, 4);
        var none = run(4, 256, gateway, Map.of(), crash, trace).requests;
        var retried = run(4, 256, gateway, Map.of(PluginKind.RETRY, policy(new BackoffRetry(), Map.of("base_ms", 1.0))),
                crash, trace).requests;
        // then: without retries the crashed replica's requests failed, counted with their wasted tokens
        var failed = none.stream().filter(r -> r.gateway().outcome() == Outcome.FAILED).toList();
        assertTrue(!failed.isEmpty() && failed.stream().allMatch(r -> r.error().contains("crashed on replica 2")),
                failed.toString());
        // and with retries all completed, none executed twice beyond what the crash threw away
        assertEquals(trace.size(), retried.stream().filter(r -> r.gateway().outcome() == Outcome.COMPLETED).count());
        long wasted = retried.stream().mapToLong(r -> r.gateway().wastedTokens()).sum();
        long wastedNone = none.stream().mapToLong(r -> r.gateway().wastedTokens()).sum();
        assertEquals(wastedNone, wasted, "the only thrown-away work is what the crash lost");
        assertTrue(Arrays.stream(new long[] {wasted}).allMatch(w -> w > 0));
    }
}
