package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.Delay;
import servelab.runtime.cluster.Network;

class ClusterSimulationTest {

    private static List<TraceRequest> spaced(int n, double everyMs) {
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) list.add(TinyCluster.request(i, i * everyMs, 16, 4));
        return list;
    }

    private static final Router BY_ID = (r, views) -> (int) (r.id() % views.size());

    @Test
    void aRequestInItsReplicasLastStepIsStillRunningThereUntilTheStepEnds() {
        // given: request 0 alone, one output token: one step, [0, end)
        long end = new TinyCluster(2, BY_ID).run(List.of(TinyCluster.request(0, 0, 16, 1))).byId(0).completionNanos();
        assertTrue(end > 0);
        // when: request 1 arrives halfway through that step, its router noting what replica 0 reports
        var seen = new ArrayList<String>();
        Router watching = (r, views) -> {
            var v = (servelab.runtime.cluster.ReplicaLoadView) views.getFirst();
            seen.add(r.id() + ": running " + v.runningRequests() + ", in flight " + v.inFlightRequests() + ", free blocks "
                    + v.freeBlocks());
            return 0;
        };
        // (the cluster series ticking ten times in that step)
        var options = new Simulation.Options(Network.NONE, 0, false, servelab.runtime.cluster.SessionKey.AUTO, end / 10,
                false, java.util.Collections.nCopies(2, "default"));
        var cluster = new TinyCluster(2, 64, watching, options);
        var rows = cluster.run(List.of(TinyCluster.request(0, 0, 16, 1), TinyCluster.request(1, end / 2e6, 16, 1)));
        // then: request 0 still runs on replica 0 with its KV (it finishes when the step ends); the step was applied
        // when it started, and the router saw replica 0 empty half a step early
        assertEquals(List.of("0: running 0, in flight 0, free blocks 64", "1: running 1, in flight 1, free blocks 60"), seen);
        assertEquals(end, rows.byId(0).completionNanos());
        // and the cluster series counted it on replica 0, not on its way to the client, until the step's end
        var during = rows.cluster.stream().filter(r -> r.timeNanos() > 0 && r.timeNanos() < end).toList();
        assertTrue(during.size() >= 8, during.toString());
        for (var row : during) {
            if (row.replica() == 0) assertEquals(1, row.running(), row.toString());
            if (row.replica() == -1) assertEquals(0, row.inSystem(), row.toString());
        }
    }

    @Test
    void blocksAFinishingRequestSharesWithARunningOneAreNotCountedTwice() {
        // given: a (3 tokens) and b (20 tokens) share a 16-token prefix on replica 0; b arrives after a's first step
        // and reuses a's cached prefix blocks; c arrives in a's last step and sees replica 0's free blocks
        long first = new TinyCluster(2, BY_ID).run(List.of(TinyCluster.request(0, 0, 16, 3))).byId(0).firstTokenNanos();
        var seen = new ArrayList<Integer>();
        Router toZero = (r, views) -> {
            if (r.id() == 2) seen.add(views.getFirst().freeBlocks());
            return 0;
        };
        var trace = List.of(TinyCluster.request(0, 0, 16, 3, 1, 2), TinyCluster.request(1, first / 1e6 + 0.001, 16, 20, 1, 2));
        var probe = new TinyCluster(2, 64, toZero, TinyCluster.options(2, Network.NONE, 0, false)).run(trace);
        long aLastStepStart = probe.byId(0).tokenTimesNanos()[1]; // a's last step starts where its second token came
        long aEnd = probe.byId(0).completionNanos();
        var withC = new ArrayList<>(trace);
        withC.add(TinyCluster.request(2, (aLastStepStart + aEnd) / 2e6, 4, 1));
        var cluster = new TinyCluster(2, 64, toZero, TinyCluster.options(2, Network.NONE, 0, false));
        cluster.run(withC);
        // then: c saw free what the replica holds after a's last step (b's blocks, the prefix a shares with it among
        // them) less the 2 blocks a holds alone, which its release frees; it saw 3 fewer, a's 5 blocks subtracted
        // whole: the 3 it shares with b, which b still holds, a second time
        var last = cluster.rows.iterations.stream().filter(i -> i.replica() == 0 && i.endNanos() == aEnd)
                .findFirst().orElseThrow();
        assertEquals(4, last.kvBlocksUsed());
        assertEquals(List.of(64 - 4 - 2), seen);
    }

    @Test
    void aCopyTakenBackDuringItsLastStepHasItsWorkCountedWasted() {
        // given: request 0 alone, one output token: one step [0, end)
        long end = new TinyCluster(2, BY_ID).run(List.of(TinyCluster.request(0, 0, 16, 1))).byId(0).completionNanos();
        // when: its deadline falls halfway through that step (the step finishes it, its answer comes at the end)
        var options = new Simulation.Options(Network.NONE, 0, false, servelab.runtime.cluster.SessionKey.AUTO, end / 10,
                false, java.util.Collections.nCopies(2, "default"),
                new servelab.runtime.cluster.GatewaySettings(end / 2, 0, false, "", 100, 1));
        var rows = new TinyCluster(2, 64, BY_ID, options).run(List.of(TinyCluster.request(0, 0, 16, 1)));
        // then: timed out, and the 16 prompt tokens and the token it computed are wasted (0 were: the replica no
        // longer held it when the deadline took it back, and its answer was then dropped unseen)
        var row = rows.byId(0);
        assertEquals(servelab.runtime.record.RequestRow.Outcome.TIMED_OUT, row.gateway().outcome());
        assertEquals(17, row.gateway().wastedTokens());
    }

    @Test
    void anAnswerReachingItsClientAtItsDeadlineIsOnTime() {
        long end = new TinyCluster(2, BY_ID).run(List.of(TinyCluster.request(0, 0, 16, 1))).byId(0).completionNanos();
        // the deadline at the very instant the step ends: the answer was queued after the deadline, and timed out
        var options = new Simulation.Options(Network.NONE, 0, false, servelab.runtime.cluster.SessionKey.AUTO, end / 10,
                false, java.util.Collections.nCopies(2, "default"),
                new servelab.runtime.cluster.GatewaySettings(end, 0, false, "", 100, 1));
        var row = new TinyCluster(2, 64, BY_ID, options).run(List.of(TinyCluster.request(0, 0, 16, 1))).byId(0);
        assertEquals(servelab.runtime.record.RequestRow.Outcome.COMPLETED, row.gateway().outcome());
    }

    @Test
    void recordsTheReplicaEachRequestWasRoutedToAndWhen() {
        // given: two replicas, a router alternating by id
        var cluster = new TinyCluster(2, BY_ID);
        // when
        var rows = cluster.run(spaced(4, 5));
        // then: request i ran on replica i % 2, reached the router at its arrival and was routed at once
        for (var row : rows.requests) {
            assertEquals(row.requestId() % 2, row.replica());
            assertEquals(row.arrivalNanos(), row.cluster().routerArrivalNanos());
            assertEquals(row.arrivalNanos(), row.cluster().routedNanos());
            assertEquals(0.0, row.cluster().routerQueueMs());
        }
    }

    @Test
    void networkDelaysMoveRouterArrivalAndWhatTheClientSees() {
        // given: 5 ms to the router, 3 ms to the replica, 2 ms back to the client
        var network = new Network(new Delay.Fixed(5_000_000), new Delay.Fixed(3_000_000), new Delay.Fixed(2_000_000), 1);
        var delayed = new TinyCluster(1, 64, BY_ID, TinyCluster.options(1, network, 0, false)).run(spaced(1, 0));
        var direct = new TinyCluster(1, BY_ID).run(spaced(1, 0));
        var d = delayed.requests.getFirst();
        var o = direct.requests.getFirst();
        // then: the router saw it 5 ms after arrival; the replica scheduled it 8 ms later; the client got each token
        // 10 ms later than with no network
        assertEquals(5_000_000, d.cluster().routerArrivalNanos());
        assertEquals(o.firstScheduledNanos() + 8_000_000, d.firstScheduledNanos());
        assertEquals(o.completionNanos() + 10_000_000, d.completionNanos());
        assertEquals(o.tokenTimesNanos()[3] + 10_000_000, d.tokenTimesNanos()[3]);
    }

    @Test
    void aRouterNamingNoReplicaIsAFaultAndThePreviousRouterDecides() {
        // given: round robin by id, then a router answering 7 of 2 replicas installed on top of it
        var cluster = new TinyCluster(2, BY_ID);
        cluster.router.install(TinyCluster.router((r, v) -> 7, "broken", Map.of()));
        // when
        var rows = cluster.run(spaced(4, 5));
        // then: a fault naming the index, the previous router back, every request served by it
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.detail().contains("to replica 7"), fault.detail());
        assertEquals("broken@1.0.0", fault.from());
        assertEquals("reverted", fault.to());
        assertTrue(fault.detail().endsWith("back to first@1.0.0"), fault.detail());
        assertEquals(4, rows.requests.stream().filter(r -> r.isOk()).count());
        for (var row : rows.requests) assertEquals(row.requestId() % 2, row.replica());
    }

    @Test
    void aRouterThatThrowsAnErrorIsAFaultAndThePreviousRouterDecides() {
        // given: round robin by id, then a router whose helper class is missing from its jar (a LinkageError)
        var cluster = new TinyCluster(2, BY_ID);
        cluster.router.install(TinyCluster.router((r, v) -> {
            throw new NoClassDefFoundError("bad/p/Missing");
        }, "broken", Map.of()));
        // when
        var rows = cluster.run(spaced(4, 5));
        // then: a fault, not a crash of the run, and every request served by the previous router
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.detail().contains("NoClassDefFoundError: bad/p/Missing"), fault.detail());
        assertEquals("reverted", fault.to());
        assertEquals(4, rows.requests.stream().filter(r -> r.isOk()).count());
    }

    @Test
    void aThrowingRouterWithNothingToGoBackToStopsTheRunAndLosesNoRequest() {
        // given: the only router ever installed throws from the third request on
        Router flaky = (r, v) -> {
            if (r.id() >= 2) throw new IllegalStateException("boom");
            return 0;
        };
        var cluster = new TinyCluster(2, flaky);
        // when: the run stops with an engine error
        var error = assertThrows(EngineException.class, () -> cluster.run(spaced(5, 5)));
        for (var r : cluster.replicas) r.abandon("run aborted: " + error.getMessage()); // as ExperimentRunner does
        // then: the fault is recorded, and every one of the five requests has exactly one row
        assertTrue(error.getMessage().contains("no previous router"), error.getMessage());
        assertEquals(1, cluster.rows.events.stream().filter(e -> e.type().equals("fault")).count());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L),
                cluster.rows.requests.stream().map(r -> r.requestId()).sorted().toList());
    }

    @Test
    void aResultFileThatCannotBeWrittenStopsTheRunAndEveryRequestStillEndsOnce() {
        // given: the iteration table refuses its 6th row (a full disk); before, the requests in flight and those not
        // yet arrived had no row at all
        var cluster = new TinyCluster(2, (r, v) -> 0);
        cluster.rows.failAtIteration = 5;
        var error = assertThrows(java.io.UncheckedIOException.class, () -> cluster.run(spaced(8, 5)));
        for (var r : cluster.replicas) r.abandon("run aborted: " + error.getMessage()); // as ExperimentRunner does
        // then: every request has exactly one row, those cut short say why
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L),
                cluster.rows.requests.stream().map(r -> r.requestId()).sorted().toList());
        assertTrue(cluster.rows.requests.stream().anyMatch(r -> r.error().startsWith("run aborted: cannot write "
                + "iterations.arrows: No space left on device")), cluster.rows.requests.toString());
    }

    @Test
    void aRouterSwappedMidRunIsRecordedWithItsParametersAndLosesNothing() {
        // given: everything to replica 0, swapped after the 3rd step for a router sending everything to replica 1
        var cluster = new TinyCluster(2, (r, v) -> 0);
        int[] steps = {0};
        cluster.simulation.onStep((replica, end) -> {
            if (++steps[0] == 3) cluster.router.install(TinyCluster.router((r, v) -> 1, "second", Map.of("k", 2)));
        });
        // when
        var rows = cluster.run(spaced(10, 4));
        // then: one swap event with the parameters, all ten requests completed, the late ones on replica 1
        var swap = rows.events.stream().filter(e -> e.type().equals("swap")).toList();
        assertEquals(1, swap.size());
        assertEquals("router", swap.getFirst().kind());
        assertTrue(swap.getFirst().detail().contains("{k=2}"), swap.getFirst().detail());
        assertEquals(10, rows.requests.stream().filter(r -> r.isOk()).count());
        assertEquals(1, rows.byId(9).replica());
        assertEquals(0, rows.byId(0).replica());
    }

    @Test
    void aStaleViewShowsTheQueueAsOfTheLastRefresh() {
        // given: a router recording the queue it sees on replica 0, for a burst of requests 1 ms apart
        var seenExact = new ArrayList<Integer>();
        var seenStale = new ArrayList<Integer>();
        new TinyCluster(1, 64, (r, v) -> { seenExact.add(v.getFirst().queuedRequests()); return 0; },
                TinyCluster.options(1, Network.NONE, 0, false)).run(spaced(6, 0.2));
        new TinyCluster(1, 64, (r, v) -> { seenStale.add(v.getFirst().queuedRequests()); return 0; },
                TinyCluster.options(1, Network.NONE, 100_000_000L, false)).run(spaced(6, 0.2));
        // then: the exact view sees the queue grow; the view refreshed at 0 (before the first arrival) sees none
        assertTrue(seenExact.getLast() > 0, seenExact.toString());
        assertEquals(List.of(0, 0, 0, 0, 0, 0), seenStale);
    }

    @Test
    void thePreciseViewKnowsWhatTheReplicaCachedAndTheEstimatedWhatWasRoutedThere() {
        // given: request 0 with 4 trace blocks of 8 tokens (8 engine blocks of 4), request 1 sharing them
        // 100 ms later; the router sends both to replica 1 and records what replica 1 seems to hold
        var precise = new ArrayList<Integer>();
        var estimated = new ArrayList<Integer>();
        var requests = List.of(TinyCluster.request(0, 0, 40, 2, 11, 12, 13, 14),
                TinyCluster.request(1, 100, 40, 2, 11, 12, 13, 14));
        new TinyCluster(2, 64, (r, v) -> { precise.add(v.get(1).cachedPrefixBlocks(r.promptBlocks())); return 1; },
                TinyCluster.options(2, Network.NONE, 0, false)).run(requests);
        new TinyCluster(2, 64, (r, v) -> { estimated.add(v.get(1).cachedPrefixBlocks(r.promptBlocks())); return 1; },
                TinyCluster.options(2, Network.NONE, 0, true)).run(requests);
        // then: nothing before the first; afterwards the precise view sees the 8 engine blocks of the 32 shared
        // tokens in replica 1's cache (the rest of request 0's prompt is its own), and so does the estimate, which
        // learnt request 0's keys from the routing decision
        assertEquals(List.of(0, 8), precise);
        assertEquals(List.of(0, 8), estimated);
    }

    @Test
    void aReplicaWithoutAPrefixCacheIsSeenAsKnowingNoPrefix() {
        // given: the requests above, on replicas whose prefix cache is the built-in none, with precise and with
        // estimated views; the router notes what replica 1 is said to know and hold
        var seen = new ArrayList<String>();
        var requests = List.of(TinyCluster.request(0, 0, 40, 2, 11, 12, 13, 14),
                TinyCluster.request(1, 100, 40, 2, 11, 12, 13, 14));
        for (boolean estimated : List.of(false, true)) {
            new TinyCluster(2, 64, (r, v) -> {
                seen.add(v.get(1).prefixKnowledge() + " " + v.get(1).cachedPrefixBlocks(r.promptBlocks()) + " "
                        + v.get(1).prefixCacheBlocks());
                return 1;
            }, TinyCluster.options(2, Network.NONE, 0, estimated),
                    new servelab.plugins.caching.prefix.NoPrefixCache()).run(requests);
        }
        // then: NONE and no blocks, also for the estimate that saw request 0's keys routed there
        assertEquals(List.of("NONE 0 0", "NONE 0 0", "NONE 0 0", "NONE 0 0"), seen);
    }

    @Test
    void theFrontAndReplicaRowsCountEveryRequestInTheSystem() {
        // given: 2 replicas, 6 requests
        var rows = new TinyCluster(2, BY_ID).run(spaced(6, 3));
        // then: at each tick the in-system counts add up to arrived minus answered requests
        var byTick = new java.util.TreeMap<Long, Integer>();
        for (var c : rows.cluster) byTick.merge(c.timeNanos(), c.inSystem(), Integer::sum);
        for (var tick : byTick.entrySet()) {
            long t = tick.getKey();
            long arrived = rows.requests.stream().filter(r -> r.arrivalNanos() < t).count();
            long answered = rows.requests.stream().filter(r -> r.completionNanos() <= t).count();
            assertEquals(arrived - answered, (long) tick.getValue(), "tick " + t);
        }
    }

    @Test
    void theTimeSeriesCountsEveryTokenTheReplicasComputed() {
        // given: 2 replicas, 6 requests, the last steps ending between two ticks
        var rows = new TinyCluster(2, BY_ID).run(spaced(6, 3));
        // then: the series' interval counts add up to the steps' tokens, the final partial interval included
        long computed = rows.iterations.stream().mapToLong(i -> i.prefillTokens() + i.decodeTokens()).sum();
        long last = rows.iterations.stream().mapToLong(i -> i.endNanos()).max().orElseThrow();
        long interval = rows.cluster.getFirst().intervalNanos();
        assertTrue(last % interval != 0, "the run should end between ticks: " + last);
        assertEquals(computed, rows.cluster.stream().mapToLong(c -> c.tokens()).sum());
        assertEquals((last / interval + 1) * interval, rows.cluster.getLast().timeNanos(), "one tick after the end");
    }

    @Test
    void aDegradedRequestRunsCappedOnItsGroupAndItsRowSaysWhy() {
        // given: replica 0 in group "big", replica 1 in "small"; admission degrades odd requests to "small" with
        // at most 2 output tokens; the router takes the first candidate it is offered
        var options = new Simulation.Options(Network.NONE, 0, false, servelab.runtime.cluster.SessionKey.AUTO,
                10_000_000L, false, List.of("big", "small"));
        var cluster = new TinyCluster(2, 64, (r, v) -> v.getFirst().index(), options);
        cluster.admission.install(new PolicySlot.Installed<>((servelab.api.route.Admission) (r, v) -> r.id() % 2 == 1
                ? new servelab.api.route.Admission.Degrade(java.util.OptionalInt.of(2), java.util.Optional.of("small"),
                        "busy") : servelab.api.route.Admission.ADMIT,
                TinyEngine.descriptorOf("degrade", servelab.api.PluginKind.ADMISSION), Map.of(), "test"));
        // when
        var rows = cluster.run(spaced(4, 5));
        // then: odd requests ran on replica 1 with 2 of their 4 tokens, marked degraded with the reason
        for (var row : rows.requests) {
            boolean odd = row.requestId() % 2 == 1;
            assertEquals(odd ? 1 : 0, row.replica());
            assertEquals(odd ? 2 : 4, row.outputTokens());
            assertEquals(odd, row.cluster().degraded());
            if (odd) assertTrue(row.cluster().degradedReason().contains("busy"), row.cluster().degradedReason());
        }
    }

    @Test
    void degradingToAGroupThatDoesNotExistIsAnAdmissionFault() {
        var cluster = new TinyCluster(2, BY_ID);
        cluster.admission.install(new PolicySlot.Installed<>((servelab.api.route.Admission) (r, v) ->
                servelab.api.route.Admission.Degrade.toGroup("gpu-h200", "busy"),
                TinyEngine.descriptorOf("degrade", servelab.api.PluginKind.ADMISSION), Map.of(), "test"));
        var rows = cluster.run(spaced(3, 5));
        // then: a fault naming the group, accept-all back, and every request served undegraded
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.detail().contains("'gpu-h200'"), fault.detail());
        assertEquals(3, rows.requests.stream().filter(r -> r.isOk() && !r.cluster().degraded()).count());
    }
}
