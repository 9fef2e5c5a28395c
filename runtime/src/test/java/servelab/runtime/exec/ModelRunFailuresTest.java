package servelab.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.gguf.GgufFile;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.matmul.WeightFormat;
import servelab.runtime.engine.EngineException;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;

/** Model runs that cannot go on: a NaN in the weights stops the run naming the file; a setup refusal leaves nothing. */
class ModelRunFailuresTest {
    @TempDir Path work;

    @Test
    void aNanInTheFinalNormStopsTheRunNamingTheFile() throws Exception {
        var model = work.resolve("broken.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 3);
        long at;
        try (var file = GgufFile.open(model)) { // where output_norm's first float lies in the file
            long base = file.tensors().stream().mapToLong(t -> t.data().address()).min().orElseThrow();
            at = file.dataOffset() + file.tensor("output_norm.weight").data().address() - base;
        }
        try (var channel = FileChannel.open(model, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN), at);
        }
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var e = assertThrows(EngineException.class, () -> ExperimentRunner.run(ExperimentFile.load(null, List.of(
                "executor=model", "model.path=" + model, "model.warmup_s=0", "trace.synthetic.count=3")),
                work.resolve("run"), new ExperimentRunner.Options(plugins, null, null, null)));
        assertTrue(e.getMessage().startsWith("model broken.gguf: the model's logits hold NaN (552 of 552 tokens"),
                e.getMessage());
    }

    @Test
    void aRunRefusedInItsSetupLeavesNoFolderThatRefusesTheNextRun() throws Exception {
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 3);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var runDir = work.resolve("run");
        var common = List.of("executor=model", "model.path=" + model, "model.warmup_s=0", "trace.synthetic.count=3");
        var tooMany = new java.util.ArrayList<>(common);
        tooMany.add("kv.blocks=200000000"); // refused when the replicas' executors are made, after the folder
        var e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.run(
                ExperimentFile.load(null, tooMany), runDir, new ExperimentRunner.Options(plugins, null, null, null)));
        assertTrue(e.getMessage().endsWith("use fewer kv.blocks"), e.getMessage());
        // then: nothing is left (empty tables and no run.json made the corrected run "already hold results")
        assertTrue(java.nio.file.Files.notExists(runDir), runDir + " is left");
        var result = ExperimentRunner.run(ExperimentFile.load(null, common), runDir,
                new ExperimentRunner.Options(plugins, null, null, null));
        org.junit.jupiter.api.Assertions.assertEquals(3, result.summary().completed() + result.summary().failed());
        assertTrue(java.nio.file.Files.exists(runDir.resolve("run.json")));
    }

    @Test
    void aDraftModelWhoseTokensDifferFromTheTargetsIsRefused() throws Exception {
        var target = work.resolve("target.gguf");
        RandomLlama.write(target, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 3);
        var draft = work.resolve("draft.gguf");
        try (var file = GgufFile.open(target)) { // the same size of vocabulary, one token spelt otherwise
            var tokens = file.metadata().strings("tokenizer.ggml.tokens").clone();
            tokens[300] = tokens[300] + "x";
            var writer = new servelab.kernels.gguf.GgufWriter();
            file.metadata().values().forEach(writer::put);
            writer.put("tokenizer.ggml.tokens", servelab.kernels.gguf.GgufValue.ofStrings(tokens));
            for (var t : file.tensors()) writer.tensor(t.name(), t.type(), t.dims(), t.data());
            writer.write(draft);
        }
        var options = new ModelExecutor.Options(servelab.kernels.sample.SamplingParams.greedy(), 1, Backend.CPU_VECTOR, 1);
        try (var t = LoadedModel.open(target); var d = LoadedModel.open(draft)) {
            var e = assertThrows(IllegalArgumentException.class, () -> new ModelExecutor(t, d, options, 16, 40, 8));
            assertTrue(e.getMessage().startsWith("draft model draft.gguf's token 300 is '"), e.getMessage());
        }
    }
}
