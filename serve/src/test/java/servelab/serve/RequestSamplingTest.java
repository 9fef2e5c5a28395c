package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/**
 * An OpenAI request's temperature, top_p, top_k and seed reach the model executor's sampler for that request only:
 * a request's text does not depend on what it was batched with, the same seed gives the same text, and a request
 * that asks nothing gets the run's (greedy) sampling.
 */
class RequestSamplingTest {
    private static final String PROMPT = "\"prompt\": [5, 6, 7, 8], \"max_tokens\": 160, \"ignore_eos\": true";
    private static final String HOT = "{" + PROMPT + ", \"temperature\": 1.5, \"seed\": 11}";
    private static final String FILTERED = "{" + PROMPT + ", \"temperature\": 0.9, \"top_k\": 40, \"top_p\": 0.9, \"seed\": 12}";

    @Test
    void eachRequestSamplesWithItsOwnParametersWhateverItIsBatchedWith(@TempDir Path dir) throws Exception {
        var model = dir.resolve("tiny-llama.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 7);
        Path runDir;
        try (var served = Served.start(dir, "executor=model", "model.path=" + model, "model.threads=1",
                "model.warmup_s=0")) {
            runDir = served.runDir;
            String greedy = text(served, "{" + PROMPT + "}");
            String hot = text(served, HOT);
            String filtered = text(served, FILTERED);
            assertEquals(hot, text(served, HOT), "the same seed gives the same tokens");
            assertNotEquals(greedy, hot, "temperature 1.5 reached the sampler (the run is greedy)");
            assertNotEquals(hot, text(served, "{" + PROMPT + ", \"temperature\": 1.5, \"seed\": 99}"), "another seed");
            assertNotEquals(greedy, filtered);
            assertEquals(greedy, text(served, "{" + PROMPT + ", \"temperature\": 0, \"seed\": 5}"), "temperature 0 is greedy");
            // vLLM's min_p reaches the sampler too (it was ignored): 1 keeps only the likeliest token, as greedy does
            assertEquals(greedy, text(served, "{" + PROMPT + ", \"temperature\": 1.5, \"seed\": 11, \"min_p\": 1}"));
            assertEquals(400, served.post("/v1/completions", "{" + PROMPT + ", \"min_p\": 3}").statusCode());
            // a top_p above 0 that a float cannot hold keeps the likeliest token (it was a 500 that held a slot)
            assertEquals(greedy, text(served, "{" + PROMPT + ", \"temperature\": 1.5, \"seed\": 11, \"top_p\": 1e-46}"));
            try (var pool = Executors.newFixedThreadPool(3)) {
                for (int round = 0; round < 2; round++) {
                    var a = CompletableFuture.supplyAsync(() -> text(served, HOT), pool);
                    var b = CompletableFuture.supplyAsync(() -> text(served, FILTERED), pool);
                    var c = CompletableFuture.supplyAsync(() -> text(served, "{" + PROMPT + "}"), pool);
                    assertEquals(hot, a.join(), "batched with others, round " + round);
                    assertEquals(filtered, b.join(), "batched with others, round " + round);
                    assertEquals(greedy, c.join(), "batched with others, round " + round);
                }
            }
        }
        var running = RunResults.load(runDir).table(ResultTable.ITERATIONS).orElseThrow().doubles("running_seqs");
        assertTrue(Arrays.stream(running).max().orElse(0) >= 2, "the concurrent requests shared steps");
    }

    private static String text(Served served, String body) {
        try {
            var r = served.post("/v1/completions", body);
            assertEquals(200, r.statusCode(), r.body());
            var json = Served.json(r);
            assertEquals(160, json.get("usage").get("completion_tokens").asInt());
            return json.get("choices").get(0).get("text").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
