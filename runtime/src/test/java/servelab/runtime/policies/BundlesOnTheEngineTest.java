package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.api.sched.Scheduler;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.chunkedprefill.ChunkedPrefillBatcher;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.batching.orca.OrcaBatcher;
import servelab.plugins.batching.prefillfirst.PrefillFirstBatcher;
import servelab.plugins.batching.staticbatch.StaticBatcher;
import servelab.schedulers.dfsweight.DfsWeightScheduler;
import servelab.schedulers.edf.EarliestDeadlineFirstScheduler;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.schedulers.ljf.LongestJobFirstScheduler;
import servelab.schedulers.lpm.LongestPrefixMatchScheduler;
import servelab.schedulers.priority.PriorityScheduler;
import servelab.schedulers.random.RandomScheduler;
import servelab.schedulers.sjf.ShortestJobFirstScheduler;
import servelab.schedulers.srpt.ShortestRemainingTimeScheduler;
import servelab.schedulers.vtc.VirtualTokenCounterScheduler;
import servelab.testkit.RandomQueues;
import servelab.testkit.TinyEngine;

/**
 * The bundles' contract replays again, on the real engine: its own plan checks (a rejected plan is a fault) see
 * every scheduler and batcher, not only the testkit's. And the testkit's engine is held to the real one: on the
 * same trace, with the same policies, both make the same plans step for step, so a bundle's tests on
 * {@link TinyEngine} say what the engine would do.
 */
class BundlesOnTheEngineTest {

    static Stream<PluginFactory<Scheduler>> schedulers() {
        return Stream.of(new FcfsScheduler(), new ShortestJobFirstScheduler(), new PriorityScheduler(),
                new LongestJobFirstScheduler(), new ShortestRemainingTimeScheduler(), new EarliestDeadlineFirstScheduler(),
                new VirtualTokenCounterScheduler(), new LongestPrefixMatchScheduler(), new DfsWeightScheduler(),
                new RandomScheduler());
    }

    /** Each batcher with tight limits (4 sequences, 32 tokens per step), so budgets and memory both bind. */
    static Stream<Arguments> batchers() {
        Map<String, Object> tight = Map.of("max_num_seqs", 4, "max_num_batched_tokens", 32);
        var chunked = new HashMap<>(tight);
        chunked.put("chunk_size", 16);
        return Stream.of(Arguments.of(new ContinuousBatcher(), tight), Arguments.of(new StaticBatcher(), tight),
                Arguments.of(new OrcaBatcher(), tight), Arguments.of(new PrefillFirstBatcher(), tight),
                Arguments.of(new ChunkedPrefillBatcher(), chunked));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void everyRequestOfAMemoryBoundReplayCompletes(PluginFactory<Scheduler> scheduler) {
        for (long seed = 21; seed <= 23; seed++) {
            // given: 30 bursty requests on a replica of 24 blocks of 4 tokens, so requests queue and get preempted
            var trace = trace(RandomQueues.trace(seed, 30, 40, 40));
            // when
            var rows = new PolicyEngine().scheduler(scheduler, Map.of()).blocks(24, 4).run(trace);
            // then: nothing faulted, and every request finished with all its tokens
            assertEquals(List.of(), rows.events("fault"), "seed " + seed);
            for (var request : trace) assertEquals(request.outputTokens(), rows.request(request.id()).outputTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchers")
    void plansStayWithinBudgetsAndMemoryInBothPreemptionModes(PluginFactory<Batcher> batcher, Map<String, Object> tight) {
        for (long seed = 1; seed <= 4; seed++) {
            var params = new HashMap<>(tight);
            params.put("preempt_mode", seed % 2 == 0 ? "swap" : "recompute");
            // given: 40 bursty requests (prompts up to 60 tokens) on 20-31 blocks of 4 tokens
            var trace = trace(RandomQueues.trace(seed, 40, 60, 20));
            var rows = PolicyEngine.with(batcher, params).blocks(20 + (int) (seed * 7 % 12), 4).hostBlocks(12).run(trace);
            // then: the engine accepted every plan, each within the budgets, and every request finished
            assertEquals(List.of(), rows.events("fault"), "seed " + seed);
            for (var it : rows.iterations) {
                assertTrue(it.batchSize() <= 4 && it.prefillTokens() + it.decodeTokens() <= 32, "iteration " + it.iteration());
            }
            for (var request : trace) assertEquals(request.outputTokens(), rows.request(request.id()).outputTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchers")
    void theTinyEngineMakesTheSamePlansAsTheEngine(PluginFactory<Batcher> batcher, Map<String, Object> tight) {
        for (long seed = 1; seed <= 3; seed++) {
            // given: the same trace, FCFS, paged KV without watermark, no prefix cache, preemption by recompute
            var requests = RandomQueues.trace(seed, 30, 60, 20);
            var engine = PolicyEngine.with(batcher, tight).blocks(24, 4).run(trace(requests));
            var tiny = new TinyEngine().batcher(batcher, tight).blocks(24, 4).run(requests);
            // then: step for step the same plans
            assertEquals(engine.plans, tiny.plans(), "seed " + seed);
        }
    }

    private static List<TraceRequest> trace(List<TinyEngine.Request> requests) {
        return requests.stream().map(r -> PolicyEngine.request(r.id(), r.arrivalMs(), r.promptTokens(),
                r.outputTokens(), r.tenant(), r.priority())).toList();
    }
}
