package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginKind;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.plugins.resilience.hedge.QuantileHedge;
import servelab.plugins.resilience.retry.BudgetedRetry;
import servelab.runtime.cluster.Delay;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;

/** What the gateway counts for its policies and where it may send copies, on small seeded clusters. */
class GatewayAccountingTest {
    private static final long MS = 1_000_000L;

    private static List<TraceRequest> evenly(int count, double gapMs, int output) {
        var trace = new ArrayList<TraceRequest>();
        for (int i = 0; i < count; i++) trace.add(TinyCluster.request(i, i * gapMs, 32, output));
        return trace;
    }

    @Test
    void aRetryWaitingOutItsBackoffCountsAgainstTheRetryBudget() {
        // given: 4 replicas; replica 2 crashes at 60 ms for good, with the requests it holds; a budget of one retry
        // in flight, and backoffs of 200-400 ms, so that the crash's failures all come while the first retry waits
        var trace = evenly(200, 1.25, 30);
        var crash = List.<Fault>of(new Fault.Crash(60 * MS, 2, false, 0));
        var budget = TinyEngine.installed(new BudgetedRetry(), Map.of("max_attempts", 5, "base_ms", 400.0, "cap_ms", 400.0,
                "budget_percent", 0.0, "min_retry_concurrency", 1)).policy();
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(4, "default"), new GatewaySettings(0, 0, true, "", 100, 4));
        Router spread = (r, v) -> v.get((int) ((r.id() + r.attempt()) % v.size())).index();
        var cluster = new TinyCluster(4, 256, spread, options, Map.of(PluginKind.RETRY, budget));
        cluster.simulation.faults(crash, new long[4]);
        var rows = cluster.run(trace).requests;
        // then: of the requests the crash lost, one was retried, and the others were refused by the budget
        long lost = rows.stream().filter(r -> r.gateway().attempts() > 1 || r.error().contains("retry budget")).count();
        long retried = rows.stream().filter(r -> r.gateway().attempts() > 1).count();
        long refused = rows.stream().filter(r -> r.error().contains("retry budget exhausted")).count();
        assertTrue(lost >= 3, "the crash lost " + lost + " requests");
        assertEquals(1, retried, rows.stream().filter(r -> !r.error().isEmpty()).map(r -> r.error()).toList().toString());
        assertEquals(lost - 1, refused);
    }

    @Test
    void aRetryPolicyThatFaultsAmidACrashsLossesStillLeavesEveryRequestOneRow() {
        // given: replica 2 crashes at 60 ms with several requests; the only retry policy throws at its second decision
        int[] calls = {0};
        servelab.api.resilience.RetryPolicy faulty = (failed, gateway) -> {
            if (++calls[0] == 2) throw new IllegalStateException("retry boom");
            return new servelab.api.resilience.RetryPolicy.Retry(MS);
        };
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(4, "default"), new GatewaySettings(0, 0, true, "", 100, 4));
        Router spread = (r, v) -> v.get((int) ((r.id() + r.attempt()) % v.size())).index();
        var cluster = new TinyCluster(4, 256, spread, options, Map.of(PluginKind.RETRY, faulty));
        cluster.simulation.faults(List.<Fault>of(new Fault.Crash(60 * MS, 2, false, 0)), new long[4]);
        var trace = evenly(200, 1.25, 30);
        // when: the run stops (no earlier retry policy to go back to), and the replicas give up what they hold
        var error = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class, () -> cluster.run(trace));
        for (var r : cluster.replicas) r.abandon("run aborted: " + error.getMessage()); // as ExperimentRunner does
        // then: every request has exactly one row, those the crash lost included
        var ids = cluster.rows.requests.stream().map(r -> r.requestId()).sorted().toList();
        assertEquals(java.util.stream.LongStream.range(0, 200).boxed().toList(), ids);
        assertTrue(calls[0] >= 2, calls[0] + " retry decisions");
    }

    @Test
    void theFrontCountsEachRequestInTheSystemOnceWhateverItsCopiesAreDoing() {
        // given: hedges after 3 ms, every answer of replica 1 lost, attempts that time out after 40 ms and retries
        // after a backoff of 5-20 ms: requests with two copies, requests with none (in backoff, or waiting on a lost
        // answer), and answers on their way back
        var hedge = TinyEngine.installed(new QuantileHedge(), Map.of("delay_ms", 3.0, "min_delay_ms", 3.0)).policy();
        var retry = TinyEngine.installed(new servelab.plugins.resilience.retry.BackoffRetry(),
                Map.of("max_attempts", 4, "base_ms", 5.0, "cap_ms", 20.0)).policy();
        var network = new Network(new Delay.Uniform(0, 2 * MS), Delay.NONE, new Delay.Fixed(1 * MS), 3);
        var options = new Simulation.Options(network, 0, false, SessionKey.AUTO, 2 * MS, false,
                Collections.nCopies(3, "default"), new GatewaySettings(0, 40 * MS, true, "", 100, 6));
        Router spread = (r, v) -> v.get((int) ((r.id() + r.attempt()) % v.size())).index();
        var cluster = new TinyCluster(3, 256, spread, options, Map.of(PluginKind.HEDGE, hedge, PluginKind.RETRY, retry));
        cluster.simulation.faults(List.of(new Fault.LostResponses(0, 10_000 * MS, 1, 1.0)), new long[3]);
        var rows = cluster.run(evenly(150, 1.5, 20));
        // then: at every tick the front's requests_in_system is the number of requests that had arrived and whose
        // client had not heard the outcome, from the request rows (ticks see the state before that instant)
        int ticks = 0, differing = 0;
        for (var c : rows.cluster) {
            if (c.replica() != -1) continue;
            long t = c.timeNanos();
            long inSystem = rows.requests.stream().filter(r -> r.arrivalNanos() < t && r.gateway().endedNanos() > t).count();
            ticks++;
            if (inSystem != c.requestsInSystem()) differing++;
            assertEquals(inSystem, c.requestsInSystem(), "tick at " + t / 1e6 + " ms");
        }
        assertTrue(ticks > 50, ticks + " ticks");
        // and the copies' sum, which the summary used before, is not that count at some ticks (hedges, backoffs)
        long copiesDiffer = rows.cluster.stream().filter(c -> c.replica() == -1).filter(front -> {
            long sum = rows.cluster.stream().filter(c -> c.timeNanos() == front.timeNanos()).mapToLong(c -> c.inSystem()).sum();
            return sum != front.requestsInSystem();
        }).count();
        assertTrue(copiesDiffer > 0, "the copies' sum equalled N(t) at every tick");
        assertEquals(0, differing);
    }

    @Test
    void aHedgeThatReachesTheRouterBeforeItsPrimaryStillGoesToAnotherReplica() {
        // given: 3 replicas, a hedge 1 ms after each send, and client-to-router delays of 0-100 ms, so that many hedges
        // overtake their primaries; a router that would give a pair the same replica unless one is excluded
        var hedge = TinyEngine.installed(new QuantileHedge(), Map.of("delay_ms", 1.0, "min_delay_ms", 1.0)).policy();
        var network = new Network(new Delay.Uniform(0, 100 * MS), Delay.NONE, Delay.NONE, 7);
        var options = new Simulation.Options(network, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(3, "default"), new GatewaySettings(0, 0, true, "", 100, 5));
        var chosen = new HashMap<Long, List<Integer>>();
        Router byId = (r, v) -> {
            int replica = v.get((int) (r.id() % v.size())).index();
            chosen.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(replica);
            return replica;
        };
        var cluster = new TinyCluster(3, 256, byId, options, Map.of(PluginKind.HEDGE, hedge));
        var rows = cluster.run(evenly(100, 10, 20)).requests;
        // then: every request completed, most were hedged, and no two copies of one request shared a replica
        assertEquals(100, rows.stream().filter(r -> r.error().isEmpty()).count());
        long hedged = chosen.values().stream().filter(l -> l.size() > 1).count();
        assertTrue(hedged > 10, hedged + " requests hedged");
        for (var e : chosen.entrySet()) {
            assertEquals(e.getValue().size(), e.getValue().stream().distinct().count(), "request " + e.getKey() + " went to "
                    + e.getValue());
        }
    }
}
