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

import servelab.datasets.TraceRequest;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.sample.SamplingParams;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;
import servelab.plugins.caching.prefix.NoPrefixCache;
import servelab.runtime.builtin.Speculators;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.LoadedModel;
import servelab.runtime.exec.ModelExecutor;

/**
 * The model executor with its whole forward pass behind {@link ResidentForward} (as {@code model.backend=tornadovm}
 * runs it on TornadoVM's device), here on a host implementation of that interface, so the executor's side of it is
 * checked without TornadoVM: greedy tokens from the device's greedy ids, draws on the device with the CPU sampler's
 * uniforms (temperature, top-k, top-p, min-p), the logits brought back only for a top-k over what the device draws,
 * swaps through the device's block copies, layer-skip and draft-model speculation, the device's context
 * limit, and the fall back to {@code cpu-vector} when the device cannot hold the model. Every run must give the same
 * tokens as the CPU executor. (The TornadoVM implementation itself is checked against the CPU forward on PoCL by
 * {@code kernels/tornadovm}'s DeviceForwardTest.)
 */
class ResidentForwardEngineTest {
    private static final int BLOCK = 16;
    @TempDir static Path dir;
    static LoadedModel model;

    @BeforeAll
    static void writeModel() throws IOException {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 31);
        model = LoadedModel.open(path);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static ModelExecutor.Options options(SamplingParams sampling) {
        return new ModelExecutor.Options(sampling, 5, Backend.TORNADOVM, 1);
    }

    private static ModelExecutor cpu(SamplingParams sampling, int blocks, int hostBlocks) {
        return new ModelExecutor(model, null, new ModelExecutor.Options(sampling, 5, Backend.CPU_VECTOR, 1), BLOCK,
                blocks, hostBlocks);
    }

    private static List<TraceRequest> workload(int n, long seed) {
        var random = new SplittableRandom(seed);
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) {
            long[] shared = i % 2 == 0 ? new long[] {1000, 1001} : new long[0];
            list.add(new TraceRequest(i, random.nextLong(0, 20_000_000L) * (i / 3), random.nextInt(35, 110),
                    random.nextInt(2, 30), "default", 0, shared, shared.length > 0 ? 32 : 0));
        }
        list.sort(java.util.Comparator.comparingLong(TraceRequest::arrivalNanos));
        return list;
    }

    private static Map<Long, int[]> run(TinyEngine engine, List<TraceRequest> requests) {
        engine.simulation.run(requests.iterator());
        engine.replica.checkInvariants();
        for (var row : engine.rows.requests) assertEquals("", row.error(), "request " + row.requestId());
        return engine.rows.outputs;
    }

    private static void assertSameTokens(Map<Long, int[]> expected, Map<Long, int[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (var id : expected.keySet()) assertArrayEquals(expected.get(id), actual.get(id), what + ", request " + id);
    }

    @Test
    void greedyRunsTakeTheDevicesGreedyTokensAndNeverBringLogitsBack() {
        var requests = workload(10, 3);
        var params = Map.<String, Object>of("max_num_batched_tokens", 40);
        var expected = run(new TinyEngine(64, BLOCK, params, 0, new HashBlockPrefixCache(),
                cpu(SamplingParams.greedy(), 64, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var executor = new ModelExecutor(model, null, options(SamplingParams.greedy()), devices, BLOCK, 64, 0);
        var engine = new TinyEngine(64, BLOCK, params, 0, new HashBlockPrefixCache(), executor);
        assertSameTokens(expected, run(engine, requests), "chunked, batched and prefix-cached steps on the device");
        assertTrue(engine.rows.requests.stream().mapToInt(r -> r.cachedPrefixTokens()).sum() > 0, "prefix hits");
        assertTrue(devices.target().steps > 0);
        assertEquals(0, devices.target().logitSteps, "greedy decoding needs only the greedy tokens");
        assertEquals(Backend.TORNADOVM, executor.backend());
        assertEquals("host memory (a test's device)", executor.backendNote());
        executor.close();
        assertTrue(devices.target().closed, "closing the executor frees the device");
    }

    /**
     * Eight requests sampled with {@code sampling}, on the CPU executor and on a host device: the same tokens. Returns
     * the device, and the tokens generated in {@code tokens[0]}.
     */
    private static HostDevices.Device sampledOnBoth(SamplingParams sampling, int[] tokens) {
        var requests = workload(8, 5);
        var expected = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(), cpu(sampling, 64, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(),
                new ModelExecutor(model, null, options(sampling), devices, BLOCK, 64, 0));
        assertSameTokens(expected, run(engine, requests), sampling.toString());
        tokens[0] = expected.values().stream().mapToInt(t -> t.length).sum();
        return devices.target();
    }

    @Test
    void temperatureOnlyRequestsAreDrawnOnTheDeviceWithTheCpuSamplersUniforms() {
        var tokens = new int[1];
        var device = sampledOnBoth(SamplingParams.temperature(1.0f), tokens);
        assertEquals(tokens[0], device.drawn, "every token was drawn on the device");
        assertEquals(0, device.logitSteps, "so no logits came back");
    }

    @Test
    void topKTopPAndMinPAreDrawnOnTheDevice() {
        var tokens = new int[1];
        var device = sampledOnBoth(new SamplingParams(0.9f, 20, 0.95f, 0.05f), tokens);
        assertEquals(tokens[0], device.drawn, "every token was drawn on the device");
        assertEquals(0, device.logitSteps);
    }

    @Test
    void topPWithoutTopKIsDrawnOnTheDevice() {
        var tokens = new int[1];
        var device = sampledOnBoth(new SamplingParams(0.9f, 0, 0.9f, 0.02f), tokens);
        assertEquals(tokens[0], device.drawn, "every token was drawn on the device (the nucleus found by bisection)");
        assertEquals(0, device.logitSteps);
    }

    @Test
    void aTopKOverWhatTheDeviceDrawsBringsTheLogitsBackAndIsSampledOnTheHost() {
        var device = sampledOnBoth(new SamplingParams(0.9f, ResidentForward.MAX_DRAW_TOP_K + 1, 0.9f, 0f), new int[1]);
        assertEquals(0, device.drawn, "the device finds at most " + ResidentForward.MAX_DRAW_TOP_K + " tokens one by one");
        assertTrue(device.logitSteps > 0, "so the logits come back");
    }

    @Test
    void swapPreemptionsCopyBlocksThroughTheDeviceAndKeepTheTokens() {
        // all at once into 9 blocks (144 tokens), which cannot hold the running set
        int[] prompts = {70, 45, 90, 33, 64, 21, 50};
        int[] outputs = {12, 20, 7, 15, 9, 18, 11};
        var requests = new ArrayList<TraceRequest>();
        for (int i = 0; i < prompts.length; i++) requests.add(TraceRequest.of(i, 0, prompts[i], outputs[i]));
        var params = Map.<String, Object>of("preempt_mode", "swap");
        var expected = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(),
                cpu(SamplingParams.greedy(), 64, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = new TinyEngine(9, BLOCK, params, 40, new NoPrefixCache(),
                new ModelExecutor(model, null, options(SamplingParams.greedy()), devices, BLOCK, 9, 40));
        assertSameTokens(expected, run(engine, requests), "swap preemption");
        assertTrue(devices.target().blocksRead > 0 && devices.target().blocksWritten > 0,
                devices.target().blocksRead + " blocks swapped out, " + devices.target().blocksWritten + " in");
    }

    @Test
    void prefixBlocksOffloadedFromTheDevicePoolAndReloadedGiveTheSameTokens() {
        // as RealModelEngineTest's: request 1 evicts request 0's system prompt to the host tier, request 2 finds it there
        long[] shared = {1000, 1001};
        var requests = List.of(new TraceRequest(0, 0, 70, 5, "default", 0, shared, 32),
                TraceRequest.of(1, 1_000_000_000L, 150, 20),
                new TraceRequest(2, 2_000_000_000L, 80, 6, "default", 0, shared, 32));
        var expected = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(),
                cpu(SamplingParams.greedy(), 64, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = TinyEngine.offloading(12, BLOCK, Map.of(), 64,
                new ModelExecutor(model, null, options(SamplingParams.greedy()), devices, BLOCK, 12, 64));
        assertSameTokens(expected, run(engine, requests), "prefix blocks through the host tier");
        int reloaded = engine.rows.iterations.stream().mapToInt(r -> r.host().reloadedBlocks()).sum();
        assertTrue(reloaded >= 3, reloaded + " blocks reloaded");
        assertTrue(devices.target().blocksRead >= 3 && devices.target().blocksWritten >= 3,
                devices.target().blocksRead + " blocks read from the device, " + devices.target().blocksWritten + " written");
    }

    @Test
    void layerSkipDraftsRunOnTheDeviceAndKeepTheGreedyTokens() {
        var requests = workload(10, 9);
        var expected = run(new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(),
                cpu(SamplingParams.greedy(), 80, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = new TinyEngine(80, BLOCK, Map.of(), 0, new HashBlockPrefixCache(),
                new ModelExecutor(model, null, options(SamplingParams.greedy()), devices, BLOCK, 80, 0));
        var factory = new Speculators.LayerSkip();
        engine.speculator.install(new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("layer-skip",
                factory.descriptor().params(), Map.of("layers", 1, "num_speculative_tokens", 3))),
                factory.descriptor(), Map.of(), "test"));
        assertSameTokens(expected, run(engine, requests), "layer-skip speculation");
        int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        int accepted = engine.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
        assertTrue(drafted > 0 && accepted > 0, drafted + " drafted, " + accepted + " accepted");
        assertEquals(0, devices.target().logitSteps, "greedy drafts and verification need only the greedy tokens");
    }

    @Test
    void sampledVerificationsAreRejectionSampledOnTheDeviceWithTheCpuVerifiersUniforms() {
        var sampling = SamplingParams.temperature(0.7f);
        var requests = workload(10, 17);
        var factory = new Speculators.LayerSkip();
        java.util.function.Supplier<PolicySlot.Installed<servelab.api.spec.Speculator>> layerSkip = () ->
                new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("layer-skip",
                        factory.descriptor().params(), Map.of("layers", 1, "num_speculative_tokens", 3))),
                        factory.descriptor(), Map.of(), "test");
        var plain = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(), cpu(sampling, 80, 0));
        plain.speculator.install(layerSkip.get());
        var expected = run(plain, requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(),
                new ModelExecutor(model, null, options(sampling), devices, BLOCK, 80, 0));
        engine.speculator.install(layerSkip.get());
        assertSameTokens(expected, run(engine, requests), "layer-skip drafts verified by rejection sampling");
        int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        int accepted = engine.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
        assertTrue(drafted > 0 && accepted > 0 && accepted < drafted, drafted + " drafted, " + accepted + " accepted");
        assertTrue(devices.target().verified > 0, "verifications ran on the device");
        assertEquals(0, devices.target().logitSteps, "so no logits came back");
    }

    @Test
    void aDraftModelOnTheDeviceEqualToTheTargetHasEveryDraftAcceptedThroughSwaps() {
        var requests = workload(8, 11).stream().map(r -> r.withIdAndArrival(r.id(), 0)).toList();
        var expected = run(new TinyEngine(80, BLOCK, Map.of(), 0, new NoPrefixCache(),
                cpu(SamplingParams.greedy(), 80, 0)), requests);
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var engine = new TinyEngine(12, BLOCK, Map.of("preempt_mode", "swap", "max_num_batched_tokens", 48), 64,
                new HashBlockPrefixCache(), new ModelExecutor(model, model, options(SamplingParams.greedy()), devices,
                BLOCK, 12, 64));
        var factory = new Speculators.DraftModel();
        engine.speculator.install(new PolicySlot.Installed<>(factory.create(servelab.api.Params.validate("draft-model",
                factory.descriptor().params(), Map.of("num_speculative_tokens", 3))), factory.descriptor(), Map.of(),
                "test"));
        assertSameTokens(expected, run(engine, requests), "draft-model speculation with swaps");
        assertEquals(2, devices.opened.size(), "the target and the draft model each have their device pool");
        int drafted = engine.rows.requests.stream().mapToInt(r -> r.specDraftTokens()).sum();
        int accepted = engine.rows.requests.stream().mapToInt(r -> r.specAcceptedTokens()).sum();
        assertTrue(drafted > 20, drafted + " drafted");
        assertEquals(drafted, accepted, "every draft of an identical model is accepted");
        assertTrue(devices.opened.get(1).blocksRead > 0, "the draft's pool is swapped with the target's");
    }

    @Test
    void aRequestLongerThanTheDeviceHoldsFailsAtArrivalWithAReason() {
        var executor = new ModelExecutor(model, null, options(SamplingParams.greedy()), new HostDevices.Opener(64), BLOCK, 64, 0);
        assertEquals(64, executor.maxSequenceTokens());
        var engine = new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(), executor);
        engine.run(TraceRequest.of(0, 0, 60, 20), TraceRequest.of(1, 0, 10, 3));
        var failed = engine.rows.requests.stream().filter(r -> r.requestId() == 0).findFirst().orElseThrow();
        assertTrue(failed.error().contains("80 tokens") && failed.error().contains("at most 64"), failed.error());
        assertEquals(3, engine.rows.outputs.get(1L).length);
    }

    @Test
    void aPoolNoArrayHoldsIsRefusedAsOnTheCpuNotFallenBackFrom() {
        var devices = new HostDevices.Opener(Integer.MAX_VALUE);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ModelExecutor(model, null, options(SamplingParams.greedy()), devices, BLOCK, 5_000_000, 0));
        assertTrue(e.getMessage().endsWith("use fewer kv.blocks"), e.getMessage());
        assertEquals(0, devices.opened.size(), "no device was opened");
    }

    @Test
    void aDeviceThatCannotHoldTheModelFallsBackToTheCpuAndSaysWhy() {
        ResidentForward.Opener refusing = (llama, blockSize, poolBlocks) -> {
            throw new IllegalArgumentException("the TornadoVM device forward runs F32, F16 and Q8_0 weights, not Q4_0");
        };
        var executor = new ModelExecutor(model, null, options(SamplingParams.greedy()), refusing, BLOCK, 64, 0);
        assertEquals(Backend.CPU_VECTOR, executor.backend());
        assertEquals("tornadovm requested but unavailable (its device forward could not be built: "
                + "IllegalArgumentException: the TornadoVM device forward runs F32, F16 and Q8_0 weights, not Q4_0); "
                + "ran on cpu-vector", executor.backendNote());
        var requests = workload(4, 13);
        var expected = run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(),
                cpu(SamplingParams.greedy(), 64, 0)), requests);
        assertSameTokens(expected, run(new TinyEngine(64, BLOCK, Map.of(), 0, new NoPrefixCache(), executor), requests),
                "the fallback");
    }
}
