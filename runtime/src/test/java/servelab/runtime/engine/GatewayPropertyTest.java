package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.Router;
import servelab.common.seed.Seeds;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.record.RequestRow;

/**
 * Reliability of the gateway itself: random timeouts, retries, hedges and breakers against random fault schedules
 * (partitions, lost responses, stragglers, crashes with and without restart) on clusters of 2 to 4 replicas. After every run, each trace request has exactly one row, every KV block is
 * back in its pool, no replica holds work, time never went backwards (the simulation checks every event), and a
 * second run with the same seed writes the same rows.
 */
class GatewayPropertyTest {
    private static final long MS = 1_000_000L;

    static List<Long> seeds() {
        var seeds = new ArrayList<Long>();
        for (long s = 0; s < 60; s++) seeds.add(s);
        return seeds;
    }

    /** One random scenario, all of it drawn from {@code seed}. */
    private record Scenario(long seed, int replicas, GatewaySettings settings, Map<PluginKind, Object> policies,
                            List<TraceRequest> trace, List<Fault> faults, String described) {}

    private static Scenario scenario(long seed) {
        var rnd = new SplittableRandom(seed);
        int n = 2 + rnd.nextInt(3);
        var settings = new GatewaySettings(rnd.nextBoolean() ? 0 : (5 + rnd.nextInt(80)) * MS,
                rnd.nextBoolean() ? 0 : (3 + rnd.nextInt(40)) * MS, rnd.nextBoolean(), "", 1 + rnd.nextInt(50), seed);
        var policies = new EnumMap<PluginKind, Object>(PluginKind.class);
        int tries = 1 + rnd.nextInt(5);
        long backoff = rnd.nextInt(6) * MS;
        if (rnd.nextBoolean()) policies.put(PluginKind.RETRY, (RetryPolicy) (end, gw) -> end.attempt() + 1 < tries
                ? new RetryPolicy.Retry(backoff == 0 ? 0 : Math.floorMod(end.seed(), backoff) + 1)
                : new RetryPolicy.GiveUp(tries + " tries"));
        int hedgeKind = rnd.nextInt(3);
        long hedgeAfter = (1 + rnd.nextInt(15)) * MS;
        if (hedgeKind == 1) policies.put(PluginKind.HEDGE, (HedgePolicy) (r, gw) -> hedgeAfter);
        if (hedgeKind == 2) policies.put(PluginKind.HEDGE, (HedgePolicy) (r, gw) -> gw.recentLatencyNanos(0.9) == 0
                ? HedgePolicy.NEVER : gw.recentLatencyNanos(0.9));
        if (rnd.nextBoolean()) policies.put(PluginKind.BREAKER, new ConsecutiveFailures(n, 2, 10 * MS));
        var trace = new ArrayList<TraceRequest>();
        int count = 15 + rnd.nextInt(25);
        var arrivals = new long[count];
        for (int i = 0; i < count; i++) arrivals[i] = rnd.nextLong(80 * MS);
        java.util.Arrays.sort(arrivals);
        for (int i = 0; i < count; i++) {
            trace.add(new TraceRequest(i, arrivals[i], 4 + rnd.nextInt(40), 1 + rnd.nextInt(30), "default", 0,
                    new long[0], 0));
        }
        var faults = new ArrayList<Fault>(); // at most one of each kind per replica, so none overlap
        for (int r = 0; r < n; r++) {
            long from = rnd.nextLong(100 * MS), to = from + 1 + rnd.nextLong(60 * MS);
            if (rnd.nextInt(4) == 0) faults.add(new Fault.Partition(from, to, r));
            if (rnd.nextInt(4) == 0) faults.add(new Fault.LostResponses(from, to, r, 0.3 + 0.7 * rnd.nextDouble()));
            if (rnd.nextInt(4) == 0) faults.add(new Fault.Straggle(from, to, r, 1 + 9 * rnd.nextDouble()));
            if (rnd.nextInt(4) == 0) faults.add(new Fault.Crash(rnd.nextLong(100 * MS), r, rnd.nextBoolean(), rnd.nextLong(5 * MS)));
        }
        String described = "seed " + seed + ": " + n + " replicas, " + settings + ", policies " + policies.keySet()
                + " (tries " + tries + ", hedge " + hedgeKind + "), " + count + " requests, faults "
                + faults.stream().map(Fault::describe).toList();
        return new Scenario(seed, n, settings, policies, trace, faults, described);
    }

    /** Opens a replica after {@code limit} consecutive failures, for {@code openNanos}; a plain closed/open breaker. */
    private static final class ConsecutiveFailures implements Breaker {
        private final int[] failures;
        private final long[] openUntil;
        private final int limit;
        private final long openNanos;

        ConsecutiveFailures(int replicas, int limit, long openNanos) {
            this.failures = new int[replicas];
            this.openUntil = new long[replicas];
            this.limit = limit;
            this.openNanos = openNanos;
        }

        @Override public boolean allows(int replica, GatewayView gw) { return gw.nowNanos() >= openUntil[replica]; }

        @Override
        public void onEnd(AttemptEnd end, GatewayView gw) {
            int r = end.replica();
            if (!end.result().isFailure()) failures[r] = 0;
            else if (++failures[r] >= limit) {
                openUntil[r] = gw.nowNanos() + openNanos;
                failures[r] = 0;
            }
        }
    }

    private static TinyCluster.Rows run(Scenario s, List<Replica> replicasOut) {
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(s.replicas(), "default"), s.settings());
        Router random = (r, v) -> v.get(Math.floorMod(Seeds.ofAttempt(s.seed(), r.id(), r.attempt()) >>> 7, v.size())).index();
        var cluster = new TinyCluster(s.replicas(), 64, random, options, s.policies());
        var coldStarts = new long[s.replicas()];
        java.util.Arrays.fill(coldStarts, 5 * MS);
        cluster.simulation.faults(s.faults(), coldStarts);
        var lastEnd = new long[s.replicas()];
        cluster.simulation.onStep((replica, end) -> {
            assertTrue(end >= lastEnd[replica.index()], "replica " + replica.index() + " stepped back in time");
            lastEnd[replica.index()] = end;
        });
        var rows = cluster.run(s.trace());
        replicasOut.addAll(cluster.replicas);
        return rows;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyRequestEndsOnceAndEveryBlockComesBack(long seed) {
        var s = scenario(seed);
        var replicas = new ArrayList<Replica>();
        var rows = run(s, replicas);
        String where = s.described();
        // then: exactly one terminal row per trace request
        var ids = new HashSet<Long>();
        for (var row : rows.requests) assertTrue(ids.add(row.requestId()), where + ": two rows for " + row.requestId());
        assertEquals(s.trace().size(), ids.size(), where);
        for (var row : rows.requests) {
            var g = row.gateway();
            assertTrue(g.attempts() >= 1 && g.hedges() >= 0 && g.wastedTokens() >= 0, where + ": " + row);
            assertEquals(g.outcome() == RequestRow.Outcome.COMPLETED, row.isOk(), where + ": " + row);
            if (row.isOk()) assertTrue(row.replica() >= 0, where + ": " + row);
        }
        // and: every replica idle with its whole KV pool free
        for (var r : replicas) {
            assertFalse(r.hasWork(), where + ": replica " + r.index() + " still has work");
            assertEquals(r.totalBlocks(), r.freeBlocks(), where + ": replica " + r.index() + " KV");
            r.checkInvariants();
        }
        // and: the same seed replays the same rows (fresh policies: a breaker keeps state)
        assertEquals(rows.requests, run(scenario(seed), new ArrayList<>()).requests, where + ": not deterministic");
    }
}
