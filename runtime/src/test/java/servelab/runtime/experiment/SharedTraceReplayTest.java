package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.datasets.ReadOptions;
import servelab.datasets.Traces;
import servelab.runtime.host.TestBundles;
import servelab.runtime.report.RunResults;

/**
 * Conservation on the real shared traces: every request of the trace appears exactly once in requests.arrow,
 * finished, with the trace's token counts. Skipped when ../shared/traces is not beside the repository.
 */
class SharedTraceReplayTest {
    @TempDir Path work;

    @ParameterizedTest
    @ValueSource(strings = {"azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv",
            "mooncake_fast25/conversation_trace.jsonl"})
    void everyRequestOfTheTraceIsRecordedOnceWithItsTokenCounts(String relative) throws Exception {
        var shared = Path.of(System.getProperty("servelab.sharedDir", "../../shared"));
        var file = shared.resolve("traces").resolve(relative);
        assumeTrue(Files.exists(file), "shared traces not present: " + file);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var experiment = ExperimentFile.load(null, List.of("name=shared", "trace.file=" + file));
        var result = ExperimentRunner.run(experiment, work.resolve("run"),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));

        var trace = Traces.readAll(file, ReadOptions.DEFAULT);
        var requests = RunResults.load(result.runDir()).requests();
        var ids = requests.longs("request_id");
        var inputs = requests.longs("input_tokens");
        var outputs = requests.longs("output_tokens");
        var errors = requests.strings("error");
        assertEquals(trace.size(), ids.length, "one row per trace request");
        var seen = new boolean[trace.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = (int) ids[i];
            assertEquals(false, seen[id], "request " + id + " recorded twice");
            seen[id] = true;
            // requests over Llama 3's 8,192 tokens are refused, as vLLM refuses them: recorded with no output
            var asked = trace.get(id);
            boolean over = asked.inputTokens() + asked.outputTokens() > 8192;
            assertEquals(asked.inputTokens(), inputs[i], "input tokens of request " + id);
            assertEquals(over ? 0 : asked.outputTokens(), outputs[i], "output tokens of request " + id);
            String error = errors.get(i) == null ? "" : errors.get(i);
            assertEquals(over, error.endsWith("the model runs at most 8192 (max_model_len)"), "request " + id + ": " + error);
            if (!over) assertEquals("", error, "request " + id + " failed");
        }
    }
}
