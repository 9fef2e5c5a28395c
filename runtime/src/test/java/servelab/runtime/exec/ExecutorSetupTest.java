package servelab.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.sample.SamplingParams;
import servelab.runtime.exec.cost.CostModels;

/** The executor setups: what they refuse, how they size KV, what they write into run.json. */
class ExecutorSetupTest {
    @TempDir static Path dir;
    static Path tiny;

    @BeforeAll
    static void writeModel() throws IOException {
        tiny = dir.resolve("tiny.gguf");
        RandomLlama.write(tiny, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 5);
    }

    private static ModelExecutor.Options options() {
        return new ModelExecutor.Options(SamplingParams.greedy(), 1, Backend.CPU_VECTOR, 1);
    }

    @Test
    void theSimulatedSetupSizesKvByTheProfileAndDescribesItsFirstExecutor() {
        var profile = "llama-3-8b/h100-80gb";
        try (var setup = SimulatedSetup.open(new SimulatedSetup.Settings(profile,
                new AcceptanceModel(List.of(0.6), 3), 0.1))) {
            assertEquals(CostModels.load(profile).kvCapacityBlocks(32), setup.defaultKvBlocks(32));
            var first = setup.executor(0, 32, 100, 0);
            assertNotSame(first, setup.executor(1, 32, 100, 0));
            var info = new LinkedHashMap<String, Object>();
            setup.describe(info);
            assertEquals(List.of("executor", "backend", "profile"), List.copyOf(info.keySet()));
            assertEquals(first.describe(), info.get("executor"));
            assertTrue(first.describe().contains("speculation") && first.describe().contains("draft cost 0.1"),
                    first.describe());
            assertEquals("simulated", info.get("backend"));
            assertEquals(profile, info.get("profile"));
        }
    }

    @Test
    void theModelSetupRefusesSpeculatorsItCannotServeBeforeReadingTheModel() {
        var absent = new ModelSetup.Settings(dir.resolve("absent.gguf").toString(), null, options(), 0);
        var modeled = assertThrows(IllegalArgumentException.class,
                () -> ModelSetup.open(absent, Map.of(PluginKind.SPECULATOR, "modeled")));
        assertTrue(modeled.getMessage().startsWith("speculator 'modeled' proposes placeholder drafts"), modeled.getMessage());
        var draftModel = assertThrows(IllegalArgumentException.class,
                () -> ModelSetup.open(absent, Map.of(PluginKind.SPECULATOR, "draft-model")));
        assertTrue(draftModel.getMessage().contains("needs model.draft_path"), draftModel.getMessage());
        var layerSkip = assertThrows(IOException.class,
                () -> ModelSetup.open(absent, Map.of(PluginKind.SPECULATOR, "layer-skip")));
        assertTrue(layerSkip.getMessage().contains("absent.gguf does not exist"), layerSkip.getMessage());
    }

    @Test
    void aLayerSkipSpeculatorWithMoreLayersThanTheModelIsRefusedAtTheStart() throws IOException {
        // the tiny model has 2 layers: layer-skip with 5 faulted at every step of the run (59 fault rows), exit 0
        var exp = servelab.runtime.experiment.ExperimentFile.load(null, List.of("executor=model", "model.path=" + tiny,
                "plugins.speculator.name=layer-skip", "plugins.speculator.params.layers=5"));
        var e = assertThrows(IllegalArgumentException.class, () -> servelab.runtime.experiment.ExecutorSetups.open(exp));
        assertEquals("speculator 'layer-skip' would draft with 5 layers, but the model has 2 (plugins.speculator.params"
                + ".layers: at most 2, 0 for half)", e.getMessage());
        var two = servelab.runtime.experiment.ExperimentFile.load(null, List.of("executor=model", "model.path=" + tiny,
                "plugins.speculator.name=layer-skip", "plugins.speculator.params.layers=2"));
        servelab.runtime.experiment.ExecutorSetups.open(two).close();
        // a versioned name and a replica group's own speculator are checked too (both passed and faulted)
        var versioned = servelab.runtime.experiment.ExperimentFile.load(null, List.of("executor=model", "model.path=" + tiny,
                "plugins.speculator.name=layer-skip@1.0.0", "plugins.speculator.params.layers=5"));
        assertThrows(IllegalArgumentException.class, () -> servelab.runtime.experiment.ExecutorSetups.open(versioned));
        var grouped = servelab.runtime.experiment.ExperimentFile.load(null, List.of("executor=model", "model.path=" + tiny,
                "replicas=2", "cluster.groups=[{name: a, count: 1}, {name: b, count: 1, plugins: {speculator: "
                        + "{name: layer-skip, params: {layers: 5}}}}]"));
        var g = assertThrows(IllegalArgumentException.class, () -> servelab.runtime.experiment.ExecutorSetups.open(grouped));
        assertTrue(g.getMessage().contains("would draft with 5 layers, but the model has 2"), g.getMessage());
        var modeled = servelab.runtime.experiment.ExperimentFile.load(null, List.of("executor=model", "model.path=" + tiny,
                "replicas=2", "cluster.groups=[{name: a, count: 1}, {name: b, count: 1, plugins: {speculator: "
                        + "{name: modeled}}}]"));
        var md = assertThrows(IllegalArgumentException.class, () -> servelab.runtime.experiment.ExecutorSetups.open(modeled));
        assertTrue(md.getMessage().startsWith("speculator 'modeled' proposes placeholder drafts"), md.getMessage());
    }

    @Test
    void theModelSetupSizesKvForTargetAndDraftAndDescribesItsFirstExecutor() throws IOException {
        var settings = new ModelSetup.Settings(tiny.toString(), tiny.toString(), options(), 0.25);
        try (var setup = ModelSetup.open(settings, Map.of(PluginKind.SPECULATOR, "draft-model"))) {
            // the tiny model's 1 GiB holds far more than 64 contexts of 512 positions: the contexts bound it
            assertEquals(64 * 512 / 16, setup.defaultKvBlocks(16));
            var first = (ModelExecutor) setup.executor(0, 16, 40, 8);
            setup.executor(1, 16, 40, 8);
            var info = new LinkedHashMap<String, Object>();
            setup.describe(info);
            assertEquals(List.of("executor", "backend", "model"), List.copyOf(info.keySet()));
            assertEquals(first.describe(), info.get("executor"));
            assertTrue(first.describe().contains("; draft tiny.gguf"), first.describe());
            assertEquals("cpu-vector", info.get("backend"));
            var model = (Map<?, ?>) info.get("model");
            assertEquals(List.of("path", "backend", "kv_pool_bytes", "sampling", "warmup_s", "threads", "draft_path"),
                    List.copyOf(model.keySet()));
            assertEquals(0.25, model.get("warmup_s")); // what changes latencies by 100x was recorded nowhere
            assertEquals(options().threads(), model.get("threads"));
            assertEquals(Map.of("temperature", 0.0, "top_k", 0, "top_p", 1.0, "min_p", 0.0), model.get("sampling"));
            assertEquals(tiny.toString(), model.get("draft_path"));
            // two pools of 40 engine blocks and 8 scratch blocks: 2 layers x (keys, values) x 2 KV heads x 16 x 16
            assertEquals(2L * 48 * (2 * 2 * 2 * 16 * 16 * Float.BYTES), model.get("kv_pool_bytes"));
        }
    }

    @Test
    void runJsonSaysHowManyThreadsTheDefaultOfZeroCameTo() throws IOException {
        var zero = new ModelExecutor.Options(SamplingParams.greedy(), 1, Backend.CPU_VECTOR, 0);
        try (var setup = ModelSetup.open(new ModelSetup.Settings(tiny.toString(), null, zero, 0), Map.of())) {
            setup.executor(0, 16, 40, 8);
            var info = new LinkedHashMap<String, Object>();
            setup.describe(info);
            // it said 0 while the executor line beside it said "(2 threads)"
            assertEquals(Runtime.getRuntime().availableProcessors(), ((Map<?, ?>) info.get("model")).get("threads"));
        }
    }

    @Test
    void aPoolOrHostTierTooLargeForOneArrayIsRefusedNamingTheKey() throws IOException {
        try (var model = LoadedModel.open(tiny)) {
            var pool = assertThrows(IllegalArgumentException.class,
                    () -> new ModelExecutor(model, options(), 16, 200_000_000));
            assertTrue(pool.getMessage().endsWith("use fewer kv.blocks"), pool.getMessage());
            var host = assertThrows(IllegalArgumentException.class,
                    () -> new ModelExecutor(model, model, options(), 16, 40, 200_000_000));
            assertTrue(host.getMessage().endsWith("use fewer kv.host_blocks"), host.getMessage());
        }
    }
}
