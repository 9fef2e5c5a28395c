package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.runtime.cluster.Delay;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RequestRow.Outcome;

/** The gateway on two small replicas (1 ms per step plus 1 us per token), with hand-written policies. */
class GatewayTest {
    private static final long MS = 1_000_000L;
    /** Attempt k goes to replica k % n; a hedge (attempt number of its primary) to the first candidate left. */
    private static final Router BY_ATTEMPT = (r, v) -> v.size() == 1 ? v.getFirst().index()
            : v.get(r.attempt() % v.size()).index();
    private static final Router FIRST = (r, v) -> v.getFirst().index();

    /** Copies take 2 ms from router to replica, so a partition can begin while one is on its way. */
    private static final Network SLOW_BACK = new Network(Delay.NONE, new Delay.Fixed(2 * MS), Delay.NONE, 1);

    /** Replica 0 cut off from 1 ms to 1 s. */
    private static final List<Fault> PARTITION_0 = List.of(new Fault.Partition(MS, 1000 * MS, 0));

    private static GatewaySettings settings(long timeoutMs, long attemptTimeoutMs, boolean idempotency) {
        return new GatewaySettings(timeoutMs * MS, attemptTimeoutMs * MS, idempotency, "", 100, 7);
    }

    private static TinyCluster cluster(Router router, GatewaySettings settings, Map<PluginKind, Object> policies) {
        return cluster(Network.NONE, router, settings, policies);
    }

    private static TinyCluster cluster(Network network, Router router, GatewaySettings settings,
                                       Map<PluginKind, Object> policies) {
        var options = new Simulation.Options(network, 0, false, SessionKey.AUTO, 10 * MS, false,
                Collections.nCopies(2, "default"), settings);
        return new TinyCluster(2, 64, router, options, policies);
    }

    private static void inject(TinyCluster cluster, List<Fault> faults) {
        cluster.simulation.faults(faults, new long[cluster.replicas.size()]);
    }

    private static RetryPolicy upTo(int attempts, long delayMs, List<AttemptEnd> seen) {
        return (end, gw) -> {
            seen.add(end);
            return end.attempt() + 1 < attempts ? new RetryPolicy.Retry(delayMs * MS) : new RetryPolicy.GiveUp("out of tries");
        };
    }

    private static void assertDrained(TinyCluster cluster) {
        for (var r : cluster.replicas) {
            assertFalse(r.hasWork(), "replica " + r.index() + " still has work");
            assertEquals(r.totalBlocks(), r.freeBlocks(), "replica " + r.index() + " KV back in its pool");
            r.checkInvariants();
        }
    }

    @Test
    void aRequestPastItsDeadlineEndsTimedOutAndItsKvIsFreedAtOnce() {
        // given: a 5 ms deadline and a request that needs about 40 steps of 1 ms
        var cluster = cluster(FIRST, settings(5, 0, true), Map.of());
        // when
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 40))).byId(0);
        // then: timed out, nothing answered, the tokens it computed counted as wasted, every block back
        assertEquals(Outcome.TIMED_OUT, row.gateway().outcome());
        assertTrue(row.error().contains("gateway.timeout_ms"), row.error());
        assertEquals(-1, row.replica());
        assertTrue(row.gateway().wastedTokens() > 16, "prompt and a few tokens were computed: " + row.gateway());
        assertDrained(cluster);
    }

    @Test
    void deadlinesOfAnsweredRequestsDoNotStretchTheRunOrItsTimeSeries() {
        // given: a 10 s deadline (its timers stay queued), two requests answered within a few ms
        var cluster = cluster(FIRST, settings(10_000, 0, true), Map.of());
        // when
        var rows = cluster.run(List.of(TinyCluster.request(0, 0, 16, 4), TinyCluster.request(1, 1, 16, 4)));
        // then: the time series (10 ms ticks) ends at the first tick after the last answer, not at the deadlines
        long lastAnswer = rows.requests.stream().mapToLong(RequestRow::completionNanos).max().orElseThrow();
        assertTrue(lastAnswer < 10 * MS, "answered in " + lastAnswer + " ns");
        assertEquals(10 * MS, rows.cluster.stream().mapToLong(c -> c.timeNanos()).max().orElseThrow());
        assertEquals(2, rows.requests.stream().filter(RequestRow::isOk).count());
    }

    @Test
    void anUnreachableReplicaFailsTheAttemptAndTheRetryGoesElsewhere() {
        // given: replica 0 is cut off while the first copy is on its way to it; three tries 1 ms apart
        var seen = new ArrayList<AttemptEnd>();
        var cluster = cluster(SLOW_BACK, BY_ATTEMPT, settings(0, 0, true), Map.of(PluginKind.RETRY, upTo(3, 1, seen)));
        inject(cluster, PARTITION_0);
        // when
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 4))).byId(0);
        // then: attempt 0 unreachable on replica 0; attempt 1 answered by replica 1
        assertEquals(1, seen.size());
        assertEquals(AttemptEnd.Result.UNREACHABLE, seen.getFirst().result());
        assertEquals(0, seen.getFirst().replica());
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(2, row.gateway().attempts());
        assertEquals(1, row.replica());
        assertEquals(0, row.gateway().wastedTokens());
        assertTrue(row.isOk());
    }

    @Test
    void withoutRetriesAFailedAttemptFailsItsRequestWithTheReason() {
        var cluster = cluster(SLOW_BACK, FIRST, settings(0, 0, true), Map.of());
        inject(cluster, PARTITION_0);
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 4))).byId(0);
        // then: failed, saying how the attempt ended and why there was no retry
        assertEquals(Outcome.FAILED, row.gateway().outcome());
        assertTrue(row.error().contains("attempt 0 unreachable on replica 0"), row.error());
        assertTrue(row.error().contains("retries are off"), row.error());
        assertEquals(1, row.gateway().attempts());
    }

    @Test
    void theAttemptSeedIsFixedByRunSeedRequestAndAttempt() {
        var seeds = new ArrayList<Long>();
        for (int run = 0; run < 2; run++) {
            var seen = new ArrayList<AttemptEnd>();
            var cluster = cluster(SLOW_BACK, BY_ATTEMPT, settings(0, 0, true), Map.of(PluginKind.RETRY, upTo(3, 1, seen)));
            inject(cluster, List.of(new Fault.Partition(MS, 1000 * MS, 0), new Fault.Partition(MS, 1000 * MS, 1)));
            cluster.run(List.of(TinyCluster.request(0, 0, 16, 4), TinyCluster.request(1, 0, 16, 4)));
            seen.sort(java.util.Comparator.comparingLong(AttemptEnd::requestId).thenComparingInt(AttemptEnd::attempt));
            for (var e : seen) seeds.add(e.seed());
        }
        // then: the same six seeds twice, and within a run each (request, attempt) has its own
        assertEquals(seeds.subList(0, 6), seeds.subList(6, 12));
        assertEquals(6, new java.util.HashSet<>(seeds.subList(0, 6)).size());
        assertEquals(servelab.common.seed.Seeds.ofAttempt(7, 1, 2), seeds.get(5));
    }

    @Test
    void theFirstAnswerWinsAndTheLosingHedgeIsCancelledWithItsWorkCountedAsWasted() {
        // given: a hedge 3 ms after the send; both replicas equally fast, so the primary (earlier) answers first
        HedgePolicy after3ms = (r, gw) -> 3 * MS;
        var cluster = cluster(FIRST, settings(0, 0, true), Map.of(PluginKind.HEDGE, after3ms));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 40))).byId(0);
        // then: replica 0 answered; the copy on replica 1 was taken back with its computed tokens wasted
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(0, row.replica());
        assertEquals(1, row.gateway().hedges());
        assertEquals(1, row.gateway().attempts());
        assertTrue(row.gateway().wastedTokens() > 16, row.gateway().toString());
        assertDrained(cluster);
    }

    @Test
    void aHedgeAnswersWhenThePrimaryAnswerNeverArrives() {
        // given: replica 0 is cut off after it took the request, so its answer never reaches the router
        HedgePolicy after3ms = (r, gw) -> 3 * MS;
        var cluster = cluster(FIRST, settings(0, 0, true), Map.of(PluginKind.HEDGE, after3ms));
        inject(cluster, PARTITION_0);
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 10))).byId(0);
        // then: the hedge on replica 1 answered; replica 0's whole answer was wasted
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(1, row.replica());
        assertEquals(1, row.gateway().hedges());
        assertEquals(16 + 10, row.gateway().wastedTokens());
    }

    @Test
    void aLateAnswerTheRouterHeldIsWastedWhenAHedgeAnswersInstead() {
        // given: keys on, attempts time out after 50 ms, a hedge 30 ms after the send; replica 0 runs 1.5x slower,
        // so the primary's answer (about 63 ms) comes after its timeout and is held, and the hedge's (about 72 ms,
        // on replica 1) answers the client
        HedgePolicy after30ms = (r, gw) -> 30 * MS;
        var cluster = cluster(FIRST, settings(0, 50, true), Map.of(PluginKind.HEDGE, after30ms));
        inject(cluster, List.of(new Fault.Straggle(0, 1000 * MS, 0, 1.5)));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 40))).byId(0);
        // then: the hedge answered, and the primary's whole answer, held and never used, counts as wasted
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(1, row.replica());
        assertEquals(1, row.gateway().hedges());
        assertEquals(16 + 40, row.gateway().wastedTokens(), row.gateway().toString());
        assertDrained(cluster);
    }

    @Test
    void aRetryGetsTheAnswerTheRouterHoldsWithoutGpuWork() {
        // given: every answer of replica 0 is lost between router and client; attempts time out after 30 ms
        var cluster = cluster(BY_ATTEMPT, settings(0, 30, true), Map.of(PluginKind.RETRY, upTo(3, 0, new ArrayList<>())));
        inject(cluster, List.of(new Fault.LostResponses(0, 1000 * MS, 0, 1.0)));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 10))).byId(0);
        // then: attempt 1 got replica 0's held answer; replica 1 never computed anything
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(2, row.gateway().attempts());
        assertEquals(0, row.replica());
        assertEquals(0, row.gateway().wastedTokens());
        assertEquals(1, cluster.simulation.duplicatesAvoided());
        assertEquals(0, cluster.replicas.get(1).iterations());
        assertEquals(30 * MS, row.completionNanos(), "the client heard it when the retry reached the router");
        // and: the whole answer, every token, reached the client then (its token times were the lost copy's moved
        // later, so the first came before the retry that delivered it was sent)
        assertEquals(30 * MS, row.firstTokenNanos());
        for (long t : row.tokenTimesNanos()) assertEquals(30 * MS, t);
    }

    @Test
    void withoutIdempotencyTheRetryExecutesAgainAndTheLostAnswerIsWasted() {
        var cluster = cluster(BY_ATTEMPT, settings(0, 30, false), Map.of(PluginKind.RETRY, upTo(3, 0, new ArrayList<>())));
        inject(cluster, List.of(new Fault.LostResponses(0, 1000 * MS, 0, 1.0)));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 10))).byId(0);
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(1, row.replica());
        assertEquals(16 + 10, row.gateway().wastedTokens());
        assertEquals(0, cluster.simulation.duplicatesAvoided());
    }

    @Test
    void aRetryOfARequestStillRunningAttachesToItsExecution() {
        // given: about 40 ms of work, attempts time out after 10 ms, retried at once up to 8 times
        var cluster = cluster(BY_ATTEMPT, settings(0, 10, true), Map.of(PluginKind.RETRY, upTo(8, 0, new ArrayList<>())));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 40))).byId(0);
        // then: the retries waited on the one execution on replica 0, which answered; nothing was computed twice
        assertEquals(Outcome.COMPLETED, row.gateway().outcome());
        assertEquals(0, row.replica());
        assertEquals(0, row.gateway().wastedTokens());
        assertTrue(row.gateway().attempts() >= 4, row.gateway().toString());
        assertEquals(row.gateway().attempts() - 1, cluster.simulation.duplicatesAvoided());
        assertEquals(0, cluster.replicas.get(1).iterations());
    }

    @Test
    void withoutIdempotencyEachTimedOutAttemptIsCancelledAndStartsOver() {
        var cluster = cluster(BY_ATTEMPT, settings(0, 10, false), Map.of(PluginKind.RETRY, upTo(4, 0, new ArrayList<>())));
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 40))).byId(0);
        // then: four executions of 10 ms each, all thrown away
        assertEquals(Outcome.FAILED, row.gateway().outcome());
        assertEquals(4, row.gateway().attempts());
        assertTrue(row.error().contains("attempt 3 timed_out"), row.error());
        assertTrue(row.gateway().wastedTokens() >= 4 * 16, row.gateway().toString());
        assertDrained(cluster);
    }

    @Test
    void theBreakerHidesReplicasFromTheRouterAndHearsEveryEnd() {
        // given: a breaker that allows only replica 1, and a router that would pick the first candidate
        var ends = new ArrayList<AttemptEnd>();
        var breaker = new Breaker() {
            @Override public boolean allows(int replica, GatewayView gw) { return replica == 1; }
            @Override public void onEnd(AttemptEnd end, GatewayView gw) { ends.add(end); }
        };
        var cluster = cluster(FIRST, settings(0, 0, true), Map.of(PluginKind.BREAKER, breaker));
        var rows = cluster.run(List.of(TinyCluster.request(0, 0, 16, 4), TinyCluster.request(1, 1, 16, 4)));
        // then: both served by replica 1, each end reported once as answered
        for (var row : rows.requests) assertEquals(1, row.replica());
        assertEquals(List.of(AttemptEnd.Result.ANSWERED, AttemptEnd.Result.ANSWERED),
                ends.stream().map(AttemptEnd::result).toList());
    }

    @Test
    void withNoEligibleReplicaAnAttemptGoesToTheFallbackGroupElseGetsNone() {
        // given: groups a (replica 0) and b (replica 1); admission sends everything to a; the breaker allows only 1
        Admission toA = (r, v) -> new Admission.Degrade(java.util.OptionalInt.empty(), java.util.Optional.of("a"), "cheap");
        var breaker = new Breaker() {
            @Override public boolean allows(int replica, GatewayView gw) { return replica == 1; }
            @Override public void onEnd(AttemptEnd end, GatewayView gw) {}
        };
        var outcomes = new HashMap<String, RequestRow>();
        for (var fallback : List.of("b", "")) {
            var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10 * MS, false,
                    List.of("a", "b"), new GatewaySettings(0, 0, true, fallback, 100, 7));
            var cluster = new TinyCluster(2, 64, FIRST, options, Map.of(PluginKind.ADMISSION, toA, PluginKind.BREAKER, breaker));
            outcomes.put(fallback, cluster.run(List.of(TinyCluster.request(0, 0, 16, 4))).byId(0));
        }
        // then: with fallback b it ran on replica 1; without, the attempt found no replica and the request failed
        assertEquals(1, outcomes.get("b").replica());
        assertEquals(Outcome.FAILED, outcomes.get("").gateway().outcome());
        assertTrue(outcomes.get("").error().contains("no_replica"), outcomes.get("").error());
    }

    @Test
    void aCrashEndsTheLostAttemptsAndTheRetryPolicyDecides() {
        for (boolean retries : List.of(true, false)) {
            // given: replica 0 crashes 3.5 ms in (the crash lands at the end of the step it falls in), no restart
            Map<PluginKind, Object> policies = retries ? Map.of(PluginKind.RETRY, upTo(3, 1, new ArrayList<>())) : Map.of();
            var cluster = cluster(BY_ATTEMPT, settings(0, 0, true), policies);
            inject(cluster, List.of(new Fault.Crash(3_500_000, 0, false, 0)));
            var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 10))).byId(0);
            // then: the prompt and the tokens made before the crash are wasted; retried on replica 1, or failed
            assertTrue(row.gateway().wastedTokens() > 16 && row.gateway().wastedTokens() < 16 + 10, row.gateway().toString());
            assertEquals(retries ? Outcome.COMPLETED : Outcome.FAILED, row.gateway().outcome());
            if (retries) assertEquals(1, row.replica());
            else assertTrue(row.error().contains("attempt 0 crashed on replica 0"), row.error());
            assertDrained(cluster);
        }
    }

    @Test
    void theCrashHookEndsTheAttemptsOfTheRequestsItIsGiven() {
        // given: a test that takes request 0 off replica 0 after its third step and reports it lost
        var cluster = cluster(BY_ATTEMPT, settings(0, 0, true), Map.of(PluginKind.RETRY, upTo(3, 1, new ArrayList<>())));
        var lostTokens = new int[1];
        cluster.simulation.onStep((replica, end) -> {
            if (replica.index() == 0 && replica.iterations() == 3) {
                lostTokens[0] = replica.withdraw(0);
                cluster.simulation.attemptsLost(0, List.of(new Replica.Lost(0, lostTokens[0])),
                        AttemptEnd.Result.CRASHED, end);
            }
        });
        var row = cluster.run(List.of(TinyCluster.request(0, 0, 16, 10))).byId(0);
        // then: the 16 prompt tokens and 3 output tokens are wasted, and attempt 1 answered on replica 1
        assertEquals(16 + 3, lostTokens[0]);
        assertEquals(lostTokens[0], row.gateway().wastedTokens());
        assertEquals(1, row.replica());
        assertEquals(2, row.gateway().attempts());
    }

    /** A cluster routing by attempt whose router puts a retry policy of two tries into the slot at request 15. */
    private static TinyCluster retrySwappedAtRequest15(GatewaySettings settings) {
        var slot = new java.util.concurrent.atomic.AtomicReference<PolicySlot<RetryPolicy>>();
        Router swapping = (r, v) -> {
            if (r.id() == 15 && r.attempt() == 0) {
                slot.get().install(new PolicySlot.Installed<>(upTo(2, 0, new ArrayList<>()),
                        TinyEngine.descriptorOf("two-tries", PluginKind.RETRY), Map.of(), "test"));
            }
            return BY_ATTEMPT.route(r, v);
        };
        var cluster = cluster(swapping, settings, Map.of());
        slot.set(cluster.slots.slot(PluginKind.RETRY, RetryPolicy.class));
        return cluster;
    }

    @Test
    void aRetryPolicySwappedMidRunIsRecordedAndLosesNoRequest() {
        // given: replica 0 loses every answer, attempts time out after 20 ms, no retries at first; when request 15
        // (arriving at 30 ms) is routed, a policy retrying once goes into the slot
        var cluster = retrySwappedAtRequest15(settings(0, 20, false));
        inject(cluster, List.of(new Fault.LostResponses(0, 1000 * MS, 0, 1.0)));
        var trace = new ArrayList<servelab.datasets.TraceRequest>();
        for (int i = 0; i < 20; i++) trace.add(TinyCluster.request(i, i * 2.0, 16, 4));
        var rows = cluster.run(trace);
        // then: one row per request; those timing out before 30 ms failed, the later ones were retried on replica 1
        assertEquals(20, rows.requests.size());
        assertEquals(20, rows.requests.stream().map(RequestRow::requestId).distinct().count());
        for (int i = 0; i < 20; i++) {
            var expected = i < 5 ? Outcome.FAILED : Outcome.COMPLETED;
            assertEquals(expected, rows.byId(i).gateway().outcome(), "request " + i);
        }
        var swap = rows.events.stream().filter(e -> e.type().equals("swap")).findFirst().orElseThrow();
        assertEquals("retry", swap.kind());
        assertEquals("two-tries@1.0.0", swap.to());
        assertDrained(cluster);
    }

    @Test
    void aSwapOfAPolicyNeverAskedAfterwardsIsRecordedAllTheSame() {
        // given: a fault-free run (no attempt fails, so the retry policy is never asked); at request 15 a retry
        // policy goes into the slot
        var cluster = retrySwappedAtRequest15(settings(0, 0, false));
        var trace = new ArrayList<servelab.datasets.TraceRequest>();
        for (int i = 0; i < 20; i++) trace.add(TinyCluster.request(i, i * 2.0, 16, 4));
        var rows = cluster.run(trace);
        // then: the swap is an event (it was noted only when the policy was next asked, which never happened)
        var swaps = rows.events.stream().filter(e -> e.type().equals("swap")).toList();
        assertEquals(1, swaps.size(), rows.events.toString());
        assertEquals("two-tries@1.0.0", swaps.getFirst().to());
        assertTrue(swaps.getFirst().timeNanos() >= 30 * MS, "noted after it happened: " + swaps.getFirst());
        assertEquals(20, rows.requests.size());
    }

    @Test
    void aDelayBeyondADayIsTheRetryPolicysFaultNotAClockThatWrapsAround() {
        // given: replica 0 loses every answer, attempts time out after 20 ms, and the only retry policy asks to wait
        // Long.MAX_VALUE ns (the clock wrapped around: "time went backwards", blaming no plugin)
        RetryPolicy forever = (end, gw) -> new RetryPolicy.Retry(Long.MAX_VALUE);
        var cluster = cluster(BY_ATTEMPT, settings(0, 20, false), Map.of(PluginKind.RETRY, forever));
        inject(cluster, List.of(new Fault.LostResponses(0, 1000 * MS, 0, 1.0)));
        var trace = List.of(TinyCluster.request(0, 0, 16, 4));
        var e = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class, () -> cluster.run(trace));
        assertTrue(e.getMessage().contains("faulted (onFailure asked to retry request 0 after 9.223372036854776E9 s, "
                + "more than a day)"), e.getMessage());
        // and a hedge policy that asks for a day and a nanosecond is refused the same way
        servelab.api.resilience.HedgePolicy late = (r, gw) -> GatewayPolicies.MAX_DELAY_NANOS + 1;
        var hedged = cluster(BY_ATTEMPT, settings(0, 0, false), Map.of(PluginKind.HEDGE, late));
        var h = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class, () -> hedged.run(trace));
        assertTrue(h.getMessage().contains("(0 to a day, or NEVER)"), h.getMessage());
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // without the bound it never ends
    void aRetryPolicyThatRetriesAtOnceWhileNoReplicaCanTakeItIsStoppedAsALoop() {
        // given: every replica partitioned away for a while, and the only retry policy retrying at once, always: the
        // clock never moved, and the run spun (an audit killed it after attempt 14,284,501 of one request)
        RetryPolicy atOnce = (end, gw) -> new RetryPolicy.Retry(0);
        var cluster = cluster(BY_ATTEMPT, settings(0, 0, false), Map.of(PluginKind.RETRY, atOnce));
        inject(cluster, List.of(new Fault.Partition(0, 1000 * MS, 0), new Fault.Partition(0, 1000 * MS, 1)));
        var trace = List.of(TinyCluster.request(0, 5, 16, 4));
        var e = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class, () -> cluster.run(trace));
        assertTrue(e.getMessage().contains("onFailure asked for attempt 1000 of request 0, more than 1000: a retry loop"),
                e.getMessage());
    }
}
