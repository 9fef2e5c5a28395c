package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.ContiguousKvCache;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.Logits;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SeededSampler;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;
import servelab.plugins.caching.prefix.NoPrefixCache;
import servelab.plugins.caching.prefix.RadixTreePrefixCache;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.LoadedModel;
import servelab.runtime.exec.ModelExecutor;
import servelab.runtime.record.RequestRow.Outcome;

/**
 * The engine on a real (generated, tiny) model: whatever the engine does to a request (batching it with others,
 * chunking its prompt, serving part of it from the prefix cache, preempting and recomputing it) its tokens are the
 * ones a plain one-sequence generation gives.
 */
class RealModelEngineTest {
    private static final int BLOCK = 16;
    @TempDir static Path dir;
    static LoadedModel model;

    @BeforeAll
    static void writeModel() throws IOException {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 11);
        model = LoadedModel.open(path);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    /** The backend the engine's executors run on ({@link PackedModelEngineTest} runs every test on another). */
    Backend backend() {
        return Backend.CPU_VECTOR;
    }

    /** The same kernels on one thread, for the lone generations the engine's tokens are compared with. */
    Kernels aloneKernels() {
        return Kernels.vector(Parallel.serial());
    }

    private ModelExecutor executor(int blocks, SamplingParams sampling) {
        return new ModelExecutor(model, new ModelExecutor.Options(sampling, 5, backend(), 2), BLOCK, blocks);
    }

    /**
     * Requests of mixed lengths; the first five share a two-block system prompt (trace prefix blocks of 32 tokens).
     * The first is long done when the others arrive together, so they find its blocks cached and run as one batch.
     */
    private static List<TraceRequest> workload() {
        var list = new ArrayList<TraceRequest>();
        int[] prompts = {70, 45, 90, 33, 64, 21, 50};
        int[] outputs = {12, 20, 7, 15, 9, 18, 11};
        for (int i = 0; i < prompts.length; i++) {
            long[] shared = i < 5 ? new long[] {1000, 1001} : new long[0];
            list.add(new TraceRequest(i, i == 0 ? 0 : 500_000_000L + i * 1_000_000L, prompts[i], outputs[i], "default", 0, shared,
                    shared.length > 0 ? 32 : 0));
        }
        return list;
    }

    private static Map<Long, int[]> run(TinyEngine engine, List<TraceRequest> requests) {
        engine.simulation.run(requests.iterator());
        engine.replica.checkInvariants();
        for (var row : engine.rows.requests) assertEquals("", row.error(), "request " + row.requestId());
        return engine.rows.outputs;
    }

    /** One sequence alone, its prompt made as the engine makes it. */
    private int[] alone(TraceRequest request, TokenSpace space, SamplingParams sampling) {
        var tokens = new SeqTokens(new Sequence(request, 0), BLOCK, space);
        var prompt = new int[request.inputTokens()];
        for (int p = 0; p < prompt.length; p++) prompt[p] = tokens.at(p);
        return aloneWith(prompt, request, sampling);
    }

    /**
     * One sequence alone: the whole prompt in one step on a contiguous cache, then one decode per token, each token
     * drawn as the executor draws it (run seed 5, the request, the position).
     */
    private int[] aloneWith(int[] prompt, TraceRequest request, SamplingParams sampling) {
        Llama llama = model.llama();
        var c = llama.config();
        var state = new ForwardState(c, aloneKernels());
        var cache = new ContiguousKvCache(c.layers(), c.kvHeads(), c.headDim(), 1, c.contextLength());
        var slot = new KvAddress.Slot(0);
        var out = new int[request.outputTokens()];
        Logits logits = Forward.step(llama, state, cache, List.of(SequenceChunk.prefill(prompt, 0, slot, true)));
        for (int n = 0; n < out.length; n++) {
            int position = prompt.length + n;
            long seed = 5 * 0x9E3779B97F4A7C15L + request.id() * 0xC2B2AE3D27D4EB4FL + position;
            out[n] = SeededSampler.of(sampling, seed).sample(logits.values(), logits.offset(0, 0), logits.vocabularySize());
            if (n + 1 < out.length) {
                logits = Forward.step(llama, state, cache, List.of(SequenceChunk.decode(out[n], position, slot)));
            }
        }
        return out;
    }

    private void assertSameAsAlone(Map<Long, int[]> outputs, SamplingParams sampling, TokenSpace space) {
        var requests = workload();
        assertEquals(requests.size(), outputs.size());
        for (var r : requests) {
            assertArrayEquals(alone(r, space, sampling), outputs.get(r.id()), "request " + r.id());
        }
    }

    @Test
    void batchedChunkedAndPrefixCachedStepsGiveEachRequestItsOwnGreedyTokens() {
        var executor = executor(64, SamplingParams.greedy());
        // a 40-token budget splits every long prompt into chunks that share steps with other sequences' decodes
        var engine = new TinyEngine(64, BLOCK, Map.of("max_num_batched_tokens", 40), 0, new HashBlockPrefixCache(),
                executor);
        var outputs = run(engine, workload());
        assertSameAsAlone(outputs, SamplingParams.greedy(), executor.tokenSpace());
        int hit = engine.rows.requests.stream().mapToInt(r -> r.cachedPrefixTokens()).sum();
        assertTrue(hit >= 4 * 32, "the shared system prompt was served from the cache: " + hit + " tokens");
        long prefilled = engine.rows.iterations.stream().mapToLong(r -> r.prefillTokens()).sum();
        int prompts = workload().stream().mapToInt(TraceRequest::inputTokens).sum();
        assertTrue(prefilled <= prompts - hit, "cached tokens were not computed again: " + prefilled + " of " + prompts);
    }

    @Test
    void radixCacheAndNoCacheGiveTheSameTokens() {
        var a = run(new TinyEngine(64, BLOCK, Map.of(), 0, new RadixTreePrefixCache(),
                executor(64, SamplingParams.greedy())), workload());
        var b = run(new TinyEngine(64, BLOCK, Map.of("max_num_seqs", 1), 0, new NoPrefixCache(),
                executor(64, SamplingParams.greedy())), workload());
        for (long id = 0; id < workload().size(); id++) assertArrayEquals(a.get(id), b.get(id), "request " + id);
    }

    @Test
    void preemptedAndRecomputedSequencesKeepTheirTokens() {
        // 9 blocks (144 tokens) cannot hold the running set: sequences are preempted and recomputed
        var executor = executor(9, SamplingParams.greedy());
        var engine = new TinyEngine(9, BLOCK, Map.of(), 0, new NoPrefixCache(), executor);
        // all at once, so what runs together (and what gets preempted) does not depend on the measured step times
        var outputs = run(engine, workload().stream().map(r -> r.withIdAndArrival(r.id(), 0)).toList());
        int preemptions = engine.rows.requests.stream().mapToInt(r -> r.preemptions()).sum();
        assertTrue(preemptions > 0, "the test needs preemptions");
        assertSameAsAlone(outputs, SamplingParams.greedy(), executor.tokenSpace());
    }

    @Test
    void swapPreemptedSequencesComeBackWithTheirKvAndKeepTheirTokens() {
        var executor = new ModelExecutor(model, new ModelExecutor.Options(SamplingParams.greedy(), 5,
                backend(), 2), BLOCK, 9, 40);
        var engine = new TinyEngine(9, BLOCK, Map.of("preempt_mode", "swap"), 40, new NoPrefixCache(), executor);
        var outputs = run(engine, workload().stream().map(r -> r.withIdAndArrival(r.id(), 0)).toList());
        assertTrue(engine.rows.events.stream().anyMatch(e -> e.type().equals("preempt") && e.to().equals("swap")),
                "the test needs swap preemptions");
        assertTrue(engine.rows.iterations.stream().mapToInt(r -> r.host().swapInBlocks()).sum() > 0);
        assertSameAsAlone(outputs, SamplingParams.greedy(), executor.tokenSpace());
    }

    @Test
    void prefixBlocksOffloadedToTheHostTierAndReloadedGiveTheSameTokens() {
        var executor = new ModelExecutor(model, new ModelExecutor.Options(SamplingParams.greedy(), 5,
                backend(), 2), BLOCK, 12, 64);
        // 12 device blocks: request 1 (no sharing, 11 blocks) evicts request 0's system prompt to the host tier, and
        // request 2 finds it there; a second apart, each is done before the next arrives
        long[] shared = {1000, 1001};
        var requests = List.of(new TraceRequest(0, 0, 70, 5, "default", 0, shared, 32),
                TraceRequest.of(1, 1_000_000_000L, 150, 20),
                new TraceRequest(2, 2_000_000_000L, 80, 6, "default", 0, shared, 32));
        var engine = TinyEngine.offloading(12, BLOCK, Map.of(), 64, executor);
        var outputs = run(engine, requests);
        int offloaded = engine.rows.iterations.stream().mapToInt(r -> r.host().offloadedBlocks()).sum();
        int reloaded = engine.rows.iterations.stream().mapToInt(r -> r.host().reloadedBlocks()).sum();
        assertTrue(offloaded >= 3 && reloaded >= 3, "the system prompt went to the host tier and came back: "
                + offloaded + " offloaded, " + reloaded + " reloaded; " + engine.rows.requests);
        for (var r : requests) {
            assertArrayEquals(alone(r, executor.tokenSpace(), SamplingParams.greedy()), outputs.get(r.id()), "request " + r.id());
        }
    }

    @Test
    void sampledTokensDependOnTheRequestAndPositionNotOnTheBatch() {
        var sampling = new SamplingParams(1.0f, 0, 1.0f, 0f);
        var executor = executor(64, sampling);
        var together = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(), executor), workload());
        assertSameAsAlone(together, sampling, executor.tokenSpace());
        var greedy = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(),
                executor(64, SamplingParams.greedy())), workload());
        assertNotEquals(Arrays.toString(greedy.get(1L)), Arrays.toString(together.get(1L)),
                "temperature 1 samples, it does not take the argmax");
    }

    @Test
    void promptTokensAreOrdinaryVocabularyIdsAndSharedPrefixesAreEqual() {
        var space = executor(8, SamplingParams.greedy()).tokenSpace();
        var tokenizer = model.llama().tokenizer();
        var requests = workload();
        var first = new SeqTokens(new Sequence(requests.get(0), 0), BLOCK, space);
        var second = new SeqTokens(new Sequence(requests.get(1), 0), BLOCK, space);
        var alone = new SeqTokens(new Sequence(requests.get(5), 0), BLOCK, space);
        for (int p = 0; p < 45; p++) {
            int t = first.at(p);
            assertTrue(t >= 0 && t < tokenizer.vocabularySize() && !tokenizer.isSpecial(t), "token " + t);
            assertEquals(t, second.at(p), "shared system prompt, position " + p);
        }
        assertNotEquals(first.at(3), alone.at(3));
    }

    @Test
    void givenPromptIdsAreWhatTheModelReadsAndEqualPrefixesAreCacheHits() {
        var tokenizer = model.llama().tokenizer();
        int[] document = tokenizer.encode("The quick brown fox jumps over the lazy dog. ".repeat(6));
        int[] question = tokenizer.encode("Where did the fox jump?");
        int[] first = java.util.stream.IntStream.concat(Arrays.stream(document), Arrays.stream(question)).toArray();
        int[] second = java.util.stream.IntStream.concat(Arrays.stream(document),
                Arrays.stream(tokenizer.encode("What colour was the fox?"))).toArray();
        var requests = List.of(TraceRequest.of(0, 0, first.length, 6), TraceRequest.of(1, 500_000_000L, second.length, 6),
                TraceRequest.of(2, 600_000_000L, 40, 5));
        var engine = new TinyEngine(64, BLOCK, Map.of(), 0, new HashBlockPrefixCache(), executor(64, SamplingParams.greedy()));
        engine.replica.usePrompts(r -> r.id() == 0 ? first : r.id() == 1 ? second : null);
        var outputs = run(engine, requests);
        for (var r : requests.subList(0, 2)) {
            assertArrayEquals(aloneWith(r.id() == 0 ? first : second, r, SamplingParams.greedy()), outputs.get(r.id()),
                    "request " + r.id());
        }
        int hit = engine.rows.requests.stream().filter(r -> r.requestId() == 1).findFirst().orElseThrow().cachedPrefixTokens();
        assertEquals(document.length / BLOCK * BLOCK, hit, "the shared document's full blocks come from the cache");
        assertEquals(5, outputs.get(2L).length, "a request without ids gets synthetic tokens");
    }


    @Test
    void aRequestLongerThanTheModelsContextFailsAtArrivalWithAReason() {
        var engine = new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(64, SamplingParams.greedy()));
        engine.run(TraceRequest.of(0, 0, 500, 20), TraceRequest.of(1, 0, 10, 3));
        var failed = engine.rows.requests.stream().filter(r -> r.requestId() == 0).findFirst().orElseThrow();
        assertTrue(failed.error().contains("520 tokens") && failed.error().contains("at most 512"), failed.error());
        assertEquals(3, engine.rows.outputs.get(1L).length);
    }

    @Test
    void anExecutorThatProducesTokensMustEmitThemForEverySamplingItem() {
        Executor forgetful = new Executor() {
            @Override public long execute(StepBatch batch, StepResult result) { return 1000; }
            @Override public String describe() { return "forgetful"; }
            @Override public TokenSpace tokenSpace() { return new TokenSpace(0, 100); }
        };
        var engine = new TinyEngine(16, BLOCK, Map.of(), 0, new NoPrefixCache(), forgetful);
        var e = assertThrows(EngineException.class, () -> engine.run(TraceRequest.of(0, 0, 10, 3)));
        assertTrue(e.getMessage().contains("sampled no token"), e.getMessage());
    }

    @Test
    void aCrashedRealReplicaDropsItsSequencesAndAfterItsRestartEveryOtherRequestGetsItsOwnTokens() {
        var executor = executor(64, SamplingParams.greedy());
        var engine = new TinyEngine(64, BLOCK, Map.of("max_num_batched_tokens", 40), 0, new HashBlockPrefixCache(),
                executor);
        // request 0 runs alone from 0; the crash lands at the end of its first step; the others arrive at 500 ms
        engine.simulation.faults(List.of(new servelab.runtime.cluster.Fault.Crash(1, 0, true, 0)), new long[1]);
        engine.simulation.run(workload().iterator());
        engine.replica.checkInvariants();
        var rows = engine.rows.requests;
        var lost = rows.stream().filter(r -> r.requestId() == 0).findFirst().orElseThrow();
        assertTrue(lost.error().startsWith("replica 0 crashed at "), lost.error());
        var requests = workload();
        for (var r : requests.subList(1, requests.size())) {
            var row = rows.stream().filter(x -> x.requestId() == r.id()).findFirst().orElseThrow();
            assertEquals("", row.error(), "request " + r.id());
            // the crash emptied the KV pool and the prefix cache: no stale KV of request 0 is reused
            assertArrayEquals(alone(r, executor.tokenSpace(), SamplingParams.greedy()), engine.rows.outputs.get(r.id()),
                    "request " + r.id());
        }
    }

    @Test
    void aCrashedRealReplicasRequestsAreRetriedOnTheOtherAndGetTheirOwnTokens() {
        // given: two real replicas sampling at temperature 0.8; request k goes to replica (k + attempt) % 2, so a retry
        // goes to the other; replica 1 crashes 1 ms in (at the end of the step that is running then), no restart
        var sampling = SamplingParams.temperature(0.8f);
        Router alternate = (r, v) -> v.size() == 1 ? v.getFirst().index()
                : v.get((int) ((r.id() + r.attempt()) % v.size())).index();
        RetryPolicy twice = (end, gw) -> end.attempt() == 0 ? new RetryPolicy.Retry(1_000_000) : new RetryPolicy.GiveUp("no");
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10_000_000L, false,
                java.util.Collections.nCopies(2, "default"), new GatewaySettings(0, 0, true, "", 1000, 0));
        var executors = new ArrayList<ModelExecutor>();
        var cluster = new TinyCluster(2, 64, alternate, options, new HashBlockPrefixCache(), Map.of(PluginKind.RETRY, twice),
                BLOCK, i -> {
                    var e = executor(64, sampling);
                    executors.add(e);
                    return e;
                });
        cluster.simulation.faults(List.of(new Fault.Crash(1_000_000, 1, false, 0)), new long[2]);
        var requests = new ArrayList<TraceRequest>();
        int[] prompts = {40, 65, 23, 80, 51, 34};
        for (int k = 0; k < prompts.length; k++) {
            requests.add(new TraceRequest(k, 0, prompts[k], 40, "default", 0, new long[0], 0));
        }
        // when
        var rows = cluster.run(requests);
        // then (all six arrive at once, so replica 1 runs 1, 3 and 5 from its first step): every request completed on
        // replica 0, the odd ones on their second attempt after the crash threw away what replica 1 had computed for
        // them, and every token is the one a lone generation of that request gives
        for (var r : requests) {
            var row = rows.byId(r.id());
            assertEquals(Outcome.COMPLETED, row.gateway().outcome(), "request " + r.id() + ": " + row.error());
            assertEquals(0, row.replica(), "request " + r.id());
            boolean odd = r.id() % 2 == 1;
            assertEquals(odd ? 2 : 1, row.gateway().attempts(), "request " + r.id());
            if (odd) assertTrue(row.gateway().wastedTokens() > 0, "request " + r.id() + ": " + row.gateway());
            else assertEquals(0, row.gateway().wastedTokens(), "request " + r.id());
            assertArrayEquals(alone(r, executors.getFirst().tokenSpace(), sampling), rows.outputs.get(r.id()),
                    "request " + r.id());
        }
        for (var replica : cluster.replicas) {
            replica.checkInvariants();
            assertEquals(replica.totalBlocks(), replica.freeBlocks(), "replica " + replica.index() + " KV back in its pool");
        }
    }

    @Test
    void outputsHoldOneLinePerCompletedRequestTheAnswerItsClientGot() {
        // given: every answer of replica 0 is lost; an attempt times out after 150 ms and is retried (executed again,
        // no idempotency), the retry going to the other replica
        Router alternate = (r, v) -> v.size() == 1 ? v.getFirst().index()
                : v.get((int) ((r.id() + r.attempt()) % v.size())).index();
        RetryPolicy twice = (end, gw) -> end.attempt() == 0 ? new RetryPolicy.Retry(1_000_000) : new RetryPolicy.GiveUp("no");
        var options = new Simulation.Options(Network.NONE, 0, false, SessionKey.AUTO, 10_000_000L, false,
                java.util.Collections.nCopies(2, "default"), new GatewaySettings(0, 150_000_000L, false, "", 1000, 0));
        var cluster = new TinyCluster(2, 64, alternate, options, new HashBlockPrefixCache(), Map.of(PluginKind.RETRY, twice),
                BLOCK, i -> executor(64, SamplingParams.greedy()));
        cluster.simulation.faults(List.of(new Fault.LostResponses(0, Long.MAX_VALUE / 4, 0, 1.0)), new long[2]);
        var requests = new ArrayList<TraceRequest>();
        for (int k = 0; k < 6; k++) requests.add(new TraceRequest(k, 0, 30 + 7 * k, 20, "default", 0, new long[0], 0));
        var rows = cluster.run(requests);
        // then: one line per completed request (a copy whose answer was lost wrote one too, so some had two)
        long completed = rows.requests.stream().filter(r -> r.error().isEmpty()).count();
        assertTrue(completed > 0);
        assertEquals(completed, rows.outputLines.size(), rows.outputLines.toString());
        assertEquals(completed, rows.outputLines.stream().distinct().count());
        for (var row : rows.requests) {
            if (!row.error().isEmpty()) assertTrue(!rows.outputs.containsKey(row.requestId()), "failed " + row.requestId());
        }
    }
}
