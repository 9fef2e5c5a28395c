package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;
import servelab.api.spec.Draft;
import servelab.api.spec.Speculator;
import servelab.runtime.builtin.Speculators;
import servelab.datasets.TraceRequest;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.sample.SamplingParams;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;
import servelab.plugins.caching.prefix.NoPrefixCache;
import servelab.runtime.exec.AcceptanceModel;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.LoadedModel;
import servelab.runtime.exec.ModelExecutor;
import servelab.runtime.exec.SimulatedExecutor;

/** Verification of speculative drafts in the engine, on the real tiny model and in simulation. */
class SpeculationTest {
    private static final int BLOCK = 16;
    @TempDir static Path dir;
    static LoadedModel model;

    @BeforeAll
    static void writeModel() throws IOException {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 23);
        model = LoadedModel.open(path);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static ModelExecutor executor(int blocks) {
        return new ModelExecutor(model, new ModelExecutor.Options(SamplingParams.greedy(), 1,
                Backend.CPU_VECTOR, 1), BLOCK, blocks);
    }

    private static List<TraceRequest> workload(int n, long seed) {
        var random = new SplittableRandom(seed);
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) {
            list.add(TraceRequest.of(i, random.nextLong(0, 20_000_000L) * (i / 3), random.nextInt(5, 120),
                    random.nextInt(2, 40)));
        }
        list.sort(java.util.Comparator.comparingLong(TraceRequest::arrivalNanos));
        return list;
    }

    /**
     * Knows the right continuation of every request (from a run without speculation) and proposes 1 to 6 drafts of
     * which a random number are right: every accept/reject pattern, including all right and all wrong.
     */
    static final class PartlyRight implements Speculator {
        final Map<Long, int[]> truth;
        final SplittableRandom random;

        PartlyRight(Map<Long, int[]> truth, long seed) {
            this.truth = truth;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public List<Draft> propose(List<servelab.api.sched.SeqView> decoding, servelab.api.spec.SpecContext ctx) {
            var drafts = new ArrayList<Draft>();
            for (var seq : decoding) {
                if (random.nextInt(4) == 0) continue; // some steps decode plainly
                int k = random.nextInt(1, 7);
                int right = random.nextInt(0, k + 1);
                var out = truth.get(seq.id());
                var tokens = new int[k];
                for (int j = 0; j < k; j++) {
                    int index = seq.outputTokens() + j;
                    int correct = index < out.length ? out[index] : 0;
                    tokens[j] = j < right ? correct : (correct + 1 + random.nextInt(50)) % 300;
                }
                drafts.add(new Draft(seq.id(), tokens));
            }
            return drafts;
        }
    }

    private static PolicySlot.Installed<Speculator> installed(Speculator s) {
        return new PolicySlot.Installed<>(s, new PluginDescriptor(PluginKind.SPECULATOR, "test", "1.0.0", "test",
                List.of()), Map.of(), "test");
    }

    private static TinyEngine engine(int blocks, Executor executor, Speculator speculator) {
        var engine = new TinyEngine(blocks, BLOCK, Map.of("max_num_batched_tokens", 64), 0, new HashBlockPrefixCache(),
                executor);
        engine.speculator.install(installed(speculator));
        return engine;
    }

    /** After every step, every running sequence holds exactly the blocks its computed tokens need. */
    private static void checkExactMemory(TinyEngine engine) {
        engine.simulation.onStep((replica, end) -> {
            replica.checkInvariants();
            replica.checkExactHolding();
        });
    }

    /**
     * The model executor's steps, each lasting a fixed 10 ms of the run's clock instead of the measured wall time, so
     * which requests have arrived at each step, and so the number of steps, does not depend on the machine's load.
     */
    private static Executor fixedStepTime(ModelExecutor inner) {
        return new Executor() {
            @Override public long execute(StepBatch batch, StepResult result) {
                inner.execute(batch, result);
                return 10_000_000L;
            }

            @Override public String describe() { return inner.describe() + " (10 ms steps)"; }
            @Override public TokenSpace tokenSpace() { return inner.tokenSpace(); }
            @Override public int maxSequenceTokens() { return inner.maxSequenceTokens(); }
        };
    }

    @Test
    void greedyVerificationOnTheRealModelGivesExactlyThePlainTokensAndFreesRejectedBlocks() {
        var requests = workload(14, 3);
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), fixedStepTime(executor(80)));
        plain.simulation.run(requests.iterator());
        var truth = plain.rows.outputs;
        assertEquals(requests.size(), truth.size());

        var spec = engine(80, fixedStepTime(executor(80)), new PartlyRight(truth, 9));
        checkExactMemory(spec);
        spec.simulation.run(requests.iterator());
        for (var r : requests) assertArrayEquals(truth.get(r.id()), spec.rows.outputs.get(r.id()), "request " + r.id());
        int drafted = spec.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        int accepted = spec.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
        assertTrue(drafted > 100 && accepted > 0 && accepted < drafted, drafted + " drafted, " + accepted + " accepted");
        assertTrue(spec.rows.iterations.size() < plain.rows.iterations.size(),
                "accepted drafts save steps: " + spec.rows.iterations.size() + " vs " + plain.rows.iterations.size());
    }

    private static PolicySlot.Installed<Speculator> ngram(Map<String, Object> params) {
        var factory = new servelab.plugins.speculative.ngram.NgramSpeculator();
        var d = factory.descriptor();
        var p = servelab.api.Params.validate(d.label(), d.params(), params);
        return new PolicySlot.Installed<>(factory.create(p), d, p.asMap(), "test");
    }

    /** Prompts that repeat a 24-token block, where prompt lookup finds drafts. */
    private static int[] repeated(TraceRequest r) {
        var random = new SplittableRandom(r.id());
        var block = new int[24];
        for (int i = 0; i < block.length; i++) block[i] = random.nextInt(500);
        var ids = new int[r.inputTokens()];
        for (int i = 0; i < ids.length; i++) ids[i] = block[i % block.length];
        return ids;
    }

    @Test
    void ngramOnTheRealModelGivesExactlyThePlainGreedyTokens() {
        var requests = workload(12, 5).stream().map(r -> TraceRequest.of(r.id(), r.arrivalNanos(),
                Math.max(30, r.inputTokens()), Math.max(10, r.outputTokens()))).toList();
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        plain.replica.usePrompts(SpeculationTest::repeated);
        plain.simulation.run(requests.iterator());

        for (boolean adaptive : new boolean[] {false, true}) {
            var spec = new TinyEngine(80, BLOCK, Map.of(), 0, new HashBlockPrefixCache(), executor(80));
            spec.speculator.install(ngram(Map.of("num_speculative_tokens", 5, "adaptive_k", adaptive)));
            spec.replica.usePrompts(SpeculationTest::repeated);
            checkExactMemory(spec);
            spec.simulation.run(requests.iterator());
            for (var r : requests) {
                assertArrayEquals(plain.rows.outputs.get(r.id()), spec.rows.outputs.get(r.id()), "request " + r.id());
            }
            int drafted = spec.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
            assertTrue(drafted > 0, "prompt lookup drafts on repeated prompts");
        }
    }

    /**
     * With sampling, verification by rejection sampling leaves each output token distributed as plain sampling: 3,000
     * requests with one prompt each sample three tokens at temperature 1 (top-k 6), once plainly and once with two
     * drafts per step; the second and third tokens come out of verifications. Two-sample chi-square per position
     * (rare tokens pooled) at significance 0.001, seeded; and, since verification draws each position's token with
     * that position's uniform, the two runs' outputs are equal.
     */
    @Test
    void rejectionSamplingOnTheRealModelKeepsTheSamplingDistribution() {
        var sampling = new SamplingParams(1.0f, 6, 1.0f, 0f);
        int n = 3000;
        var requests = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) requests.add(TraceRequest.of(i, 0, 12, 3));
        int[] prompt = {11, 57, 203, 88, 301, 5, 77, 412, 19, 260, 33, 150};
        var counts = new ArrayList<Map<Integer, Integer>[]>();
        var outputs = new ArrayList<Map<Long, java.util.List<Integer>>>();
        int verifiedTokens = 0;
        for (boolean speculate : new boolean[] {false, true}) {
            var executor = new ModelExecutor(model, new ModelExecutor.Options(sampling, 17,
                    Backend.CPU_VECTOR, 1), BLOCK, 3 * n);
            var engine = new TinyEngine(3 * n, BLOCK, Map.of("max_num_seqs", 1024), 0, new NoPrefixCache(), executor);
            engine.replica.usePrompts(r -> prompt);
            if (speculate) {
                // drafts: the most recent token twice (often one of the six likely ones, often not)
                engine.speculator.install(installed((decoding, ctx) -> decoding.stream().map(seq -> {
                    int last = ctx.token(seq, seq.promptTokens() + seq.outputTokens() - 1);
                    return new Draft(seq.id(), new int[] {last, last});
                }).toList()));
            }
            engine.simulation.run(requests.iterator());
            @SuppressWarnings("unchecked")
            Map<Integer, Integer>[] byPosition = new Map[] {new java.util.HashMap<>(), new java.util.HashMap<>()};
            for (var out : engine.rows.outputs.values()) {
                byPosition[0].merge(out[1], 1, Integer::sum);
                byPosition[1].merge(out[2], 1, Integer::sum);
            }
            counts.add(byPosition);
            var byRequest = new java.util.TreeMap<Long, java.util.List<Integer>>();
            engine.rows.outputs.forEach((id, out) -> byRequest.put(id, java.util.Arrays.stream(out).boxed().toList()));
            outputs.add(byRequest);
            if (speculate) verifiedTokens = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        }
        assertTrue(verifiedTokens >= n, "the second run verified drafts: " + verifiedTokens);
        // and: each position's token is drawn with that position's own uniform, as plain sampling draws it, so the
        // outputs are the plain run's token for token (they had followed how many drafts each step verified)
        assertEquals(outputs.get(0), outputs.get(1));
        for (int position = 0; position < 2; position++) {
            var a = counts.get(0)[position];
            var b = counts.get(1)[position];
            var tokens = new java.util.TreeSet<Integer>(a.keySet());
            tokens.addAll(b.keySet());
            double chi = 0, otherA = 0, otherB = 0;
            int cells = 0;
            for (int t : tokens) {
                double x = a.getOrDefault(t, 0), y = b.getOrDefault(t, 0);
                if (x + y < 20) { // rare tokens pooled, so every cell is large enough for the approximation
                    otherA += x;
                    otherB += y;
                    continue;
                }
                chi += (x - y) * (x - y) / (x + y); // two samples of equal size
                cells++;
            }
            if (otherA + otherB > 0) {
                chi += (otherA - otherB) * (otherA - otherB) / (otherA + otherB);
                cells++;
            }
            int df = cells - 1;
            double critical = chiSquareQuantile999(df);
            assertTrue(chi < critical, "position " + (position + 1) + ": chi-square " + chi + " >= " + critical
                    + " (df " + df + "); plain " + a + ", speculative " + b);
        }
    }

    /** Upper 0.001 quantile of chi-square with {@code df} degrees of freedom (Wilson-Hilferty; within 1% for df >= 3). */
    private static double chiSquareQuantile999(int df) {
        if (df <= 2) return new double[] {0, 10.83, 13.82}[Math.max(0, df)];
        double z = 3.0902, c = 2.0 / (9 * df);
        return df * Math.pow(1 - c + z * Math.sqrt(c), 3);
    }

    @Test
    void layerSkipDraftsOnTheRealModelAndKeepsTheGreedyTokens() {
        var requests = workload(12, 4);
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        plain.simulation.run(requests.iterator());
        var factory = new Speculators.LayerSkip();
        var layerSkip = new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("layer-skip",
                factory.descriptor().params(), Map.of("layers", 1, "num_speculative_tokens", 3))),
                factory.descriptor(), Map.of(), "test");
        var spec = new TinyEngine(80, BLOCK, Map.of(), 0, new HashBlockPrefixCache(), executor(80));
        spec.speculator.install(layerSkip);
        checkExactMemory(spec);
        spec.simulation.run(requests.iterator());
        for (var r : requests) {
            assertArrayEquals(plain.rows.outputs.get(r.id()), spec.rows.outputs.get(r.id()), "request " + r.id());
        }
        int drafted = spec.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        int accepted = spec.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
        assertTrue(drafted > 0 && accepted > 0, drafted + " drafted, " + accepted + " accepted");
        // and: more layers than the model has is the speculator's fault (it was clamped to all of them, silently)
        var tooMany = new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("layer-skip",
                factory.descriptor().params(), Map.of("layers", 5, "num_speculative_tokens", 3))),
                factory.descriptor(), Map.of(), "test");
        var over = new TinyEngine(80, BLOCK, Map.of(), 0, new HashBlockPrefixCache(), executor(80));
        over.speculator.install(tooMany);
        over.simulation.run(requests.iterator());
        var fault = over.rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.detail().contains("layer-skip drafts with 5 layers, but the model has 2"), fault.detail());
    }

    private static PolicySlot.Installed<Speculator> draftModel(int k) {
        var factory = new Speculators.DraftModel();
        return new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("draft-model",
                factory.descriptor().params(), Map.of("num_speculative_tokens", k))), factory.descriptor(), Map.of(), "test");
    }

    /**
     * The target as its own draft model: under greedy decoding every draft must be accepted, which holds only if the
     * draft's KV, kept beside the target's under the same block ids, is right after prefill chunks, verifications,
     * rejections, swap-outs and swap-ins.
     */
    @Test
    void aDraftModelEqualToTheTargetHasEveryDraftAcceptedThroughPreemptionsAndSwaps() {
        var requests = workload(10, 6).stream().map(r -> r.withIdAndArrival(r.id(), 0)).toList();
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        plain.simulation.run(requests.iterator());
        for (String mode : new String[] {"recompute", "swap"}) {
            var executor = new ModelExecutor(model, model, new ModelExecutor.Options(SamplingParams.greedy(), 1,
                    Backend.CPU_VECTOR, 1), BLOCK, 12, 64);
            var engine = new TinyEngine(12, BLOCK, Map.of("preempt_mode", mode, "max_num_batched_tokens", 48), 64,
                    new HashBlockPrefixCache(), executor);
            engine.speculator.install(draftModel(3));
            checkExactMemory(engine);
            engine.simulation.run(requests.iterator());
            for (var r : requests) {
                assertArrayEquals(plain.rows.outputs.get(r.id()), engine.rows.outputs.get(r.id()), mode + ", request " + r.id());
            }
            int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
            int accepted = engine.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
            int preemptions = engine.rows.requests.stream().mapToInt(r -> r.preemptions()).sum();
            assertTrue(drafted > 50 && preemptions > 0, mode + ": " + drafted + " drafted, " + preemptions + " preemptions");
            assertEquals(drafted, accepted, mode + ": every draft of an identical model is accepted");
        }
    }

    @Test
    void aSmallerDraftModelKeepsTheGreedyTokensAndAMissingOneIsExplained() throws IOException {
        var path = dir.resolve("draft.gguf");
        var spec = RandomLlama.Spec.tiny(WeightFormat.Q8_0);
        RandomLlama.write(path, new RandomLlama.Spec(spec.dim(), 1, spec.heads(), spec.kvHeads(), spec.ffnDim(),
                spec.contextLength(), spec.format(), false, true), 99);
        var requests = workload(8, 2);
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        plain.simulation.run(requests.iterator());
        try (var draft = LoadedModel.open(path)) {
            var engine = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), new ModelExecutor(model, draft,
                    new ModelExecutor.Options(SamplingParams.greedy(), 1, Backend.CPU_VECTOR, 1), BLOCK, 80, 0));
            engine.speculator.install(draftModel(2));
            engine.simulation.run(requests.iterator());
            for (var r : requests) assertArrayEquals(plain.rows.outputs.get(r.id()), engine.rows.outputs.get(r.id()));
            assertTrue(engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum() > 0);
        }
        // without a draft model (a ctl switch to draft-model mid-run): the speculator's fault, reverted, and every
        // request still decodes exactly (it stopped the whole run, every request "run aborted")
        var without = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        without.speculator.install(draftModel(2));
        without.simulation.run(requests.iterator());
        var fault = without.rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.detail().contains("needs a draft model: set model.draft_path"), fault.detail());
        assertEquals("reverted", fault.to());
        for (var r : requests) assertArrayEquals(plain.rows.outputs.get(r.id()), without.rows.outputs.get(r.id()));
        // and: modeled's placeholder drafts on the model executor (refused at a run's start) fault the same way
        var modeledFactory = new Speculators.Modeled();
        var withModeled = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        withModeled.speculator.install(new PolicySlot.Installed<>(modeledFactory.create(servelab.api.Params.validate(
                "modeled", modeledFactory.descriptor().params(), Map.of())), modeledFactory.descriptor(), Map.of(),
                "built-in"));
        withModeled.simulation.run(requests.iterator());
        var modeledFault = withModeled.rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertTrue(modeledFault.detail().contains("speculator 'modeled' proposes placeholder drafts"), modeledFault.detail());
        assertEquals(0, withModeled.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum());
    }

    @Test
    void swappingNoneNgramNoneMidRunOnTheRealModelLosesNothingAndStaysExact() {
        // all at time 0: which iteration does what does not depend on measured step times
        var requests = workload(16, 8).stream().map(r -> TraceRequest.of(r.id(), 0,
                Math.max(30, r.inputTokens()), Math.max(10, r.outputTokens()))).toList();
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        plain.replica.usePrompts(SpeculationTest::repeated);
        plain.simulation.run(requests.iterator());

        var engine = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), executor(80));
        engine.replica.usePrompts(SpeculationTest::repeated);
        var none = engine.speculator.current();
        var ngram = ngram(Map.of());
        engine.simulation.onStep((replica, end) -> {
            replica.checkInvariants();
            long it = replica.iterations();
            if (it == 15) engine.speculator.install(ngram);
            if (it == 30) engine.speculator.install(none);
        });
        engine.simulation.run(requests.iterator());
        assertEquals(requests.size(), engine.rows.requests.size(), "every request finished once");
        for (var r : requests) {
            assertArrayEquals(plain.rows.outputs.get(r.id()), engine.rows.outputs.get(r.id()), "request " + r.id());
        }
        var swaps = engine.rows.events.stream().filter(e -> e.type().equals("swap")).toList();
        assertEquals(2, swaps.size(), swaps.toString());
        assertTrue(engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum() > 0);
        assertTrue(engine.rows.iterations.size() > 30, "the run went past the second swap");
    }

    @Test
    void inSimulationMemoryHoldsExactlyTheAcceptedLengthAfterAnyMixOfAcceptsAndRejects() {
        for (long seed = 0; seed < 12; seed++) {
            var random = new SplittableRandom(seed);
            var rates = List.of(random.nextDouble(), random.nextDouble(), random.nextDouble());
            var executor = new SimulatedExecutor(TinyEngine.TOY_COST, BLOCK, new AcceptanceModel(rates, seed), 0.1);
            var modeled = new Speculators.Modeled().create(servelab.api.Params.validate("modeled",
                    new Speculators.Modeled().descriptor().params(), Map.of("num_speculative_tokens", 1 + (int) (seed % 6))));
            // few blocks: preemptions and recomputes happen between verifications
            var engine = engine(24, executor, modeled);
            checkExactMemory(engine);
            var requests = workload(30, seed);
            engine.simulation.run(requests.iterator());
            assertEquals(requests.size(), engine.rows.requests.size());
            for (var row : engine.rows.requests) {
                assertEquals("", row.error());
                var request = requests.stream().filter(r -> r.id() == row.requestId()).findFirst().orElseThrow();
                assertEquals(request.outputTokens(), row.outputTokens(), "seed " + seed);
                assertEquals(request.outputTokens(), row.tokenTimesNanos().length);
            }
            int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
            int accepted = engine.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
            assertTrue(drafted > 0, "seed " + seed);
            // the iteration rows add up to the request rows, and by position too
            assertEquals(drafted, engine.rows.iterations.stream().mapToInt(r -> r.spec().draftTokens()).sum());
            assertEquals(accepted, engine.rows.iterations.stream().mapToInt(r -> r.spec().acceptedTokens()).sum());
            for (var row : engine.rows.iterations) {
                var spec = row.spec();
                assertEquals(spec.draftTokens(), java.util.Arrays.stream(spec.draftedByPosition()).sum());
                assertEquals(spec.acceptedTokens(), java.util.Arrays.stream(spec.acceptedByPosition()).sum());
                for (int j = 0; j < spec.acceptedByPosition().length; j++) {
                    assertTrue(spec.acceptedByPosition()[j] <= spec.draftedByPosition()[j]);
                    if (j > 0) assertTrue(spec.acceptedByPosition()[j] <= spec.acceptedByPosition()[j - 1]);
                }
            }
        }
    }

    @Test
    void acceptanceModelMatchesItsRatesAndExpectedLength() {
        var model = new AcceptanceModel(List.of(0.8, 0.5), 4);
        int trials = 40_000, k = 3;
        long tokens = 0;
        int[] reached = new int[k + 1];
        for (int t = 0; t < trials; t++) {
            int a = model.accepted(t, 100 + t % 7, k);
            tokens += a + 1;
            for (int j = 0; j <= a; j++) reached[j]++;
        }
        assertEquals(model.expectedTokens(k), tokens / (double) trials, 0.02);
        assertEquals(0.8, reached[1] / (double) trials, 0.01);
        assertEquals(0.5, reached[2] / (double) reached[1], 0.015);
        assertEquals(0.5, reached[3] / (double) reached[2], 0.02);
        assertEquals(1 + 0.8 + 0.4 + 0.2, model.expectedTokens(3), 1e-12);
    }

    @Test
    void verificationTokensCountAgainstTheBatchBudgetAndStopAboveTheDisableBatchSize() {
        var executor = new SimulatedExecutor(TinyEngine.TOY_COST, BLOCK, new AcceptanceModel(List.of(0.0), 1), 0);
        var k6 = new Speculators.Modeled().create(servelab.api.Params.validate("modeled",
                new Speculators.Modeled().descriptor().params(), Map.of("num_speculative_tokens", 6)));
        var requests = List.of(TraceRequest.of(0, 0, 20, 30), TraceRequest.of(1, 0, 20, 30), TraceRequest.of(2, 0, 20, 30));

        var budget = new TinyEngine(64, BLOCK, Map.of("max_num_batched_tokens", 10), 0, new NoPrefixCache(), executor);
        budget.speculator.install(installed(k6));
        budget.simulation.run(requests.iterator());
        for (var row : budget.rows.iterations) {
            assertTrue(row.prefillTokens() + row.decodeTokens() <= 10, row.toString());
        }
        assertTrue(budget.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum() > 0);

        // the three run in lockstep to the end: with a cut-off at three running, nothing is verified; at four, drafts are
        for (int cutOff : new int[] {3, 4}) {
            var engine = new TinyEngine(64, BLOCK, Map.of("speculative_disable_by_batch_size", cutOff), 0,
                    new NoPrefixCache(), executor);
            engine.speculator.install(installed(k6));
            engine.simulation.run(requests.iterator());
            int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
            assertTrue(cutOff == 3 ? drafted == 0 : drafted > 0, "cut-off " + cutOff + ": " + drafted + " drafted");
        }
    }
}
