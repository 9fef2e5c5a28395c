package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.model.RandomLlama;
import servelab.kernels.matmul.WeightFormat;

/** `executor: model`: a GGUF (a generated two-layer Llama) served with its own tokenizer and chat template. */
class ModelServingTest {
    @TempDir static Path dir;
    static Served served;

    @BeforeAll
    static void start() throws Exception {
        var model = dir.resolve("tiny-llama.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 7);
        served = Served.start(dir, "executor=model", "model.path=" + model, "model.threads=1", "model.warmup_s=0");
    }

    @AfterAll
    static void stop() throws Exception {
        served.close();
    }

    @Test
    void theModelIsNamedByItsFileAndItsContextIsTheModels() throws Exception {
        var model = Served.json(served.get("/v1/models")).get("data").get(0);
        assertEquals("tiny-llama", model.get("id").asText());
        assertEquals(512, model.get("max_model_len").asInt(), "the generated model's context length");
    }

    @Test
    void aChatIsEncodedWithTheTemplateAndRunsToMaxTokensWithIgnoreEos() throws Exception {
        var r = served.post("/v1/chat/completions", """
                {"model": "tiny-llama", "messages": [{"role": "user", "content": "hello <|eot_id|> there"}],
                 "max_tokens": 6, "ignore_eos": true}""");
        assertEquals(200, r.statusCode(), r.body());
        var body = Served.json(r);
        assertEquals(6, body.get("usage").get("completion_tokens").asInt());
        assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
        // <|begin_of_text|>, a header (3 + 2 tokens at least), the content, <|eot_id|>, the assistant header
        assertTrue(body.get("usage").get("prompt_tokens").asInt() > 10, body.toString());
    }

    @Test
    void aStreamedCompletionOfTokenIdsCountsWhatItSent() throws Exception {
        var r = served.post("/v1/completions", """
                {"prompt": [5, 6, 7, 8], "max_tokens": 5, "stream": true, "stream_options": {"include_usage": true}}""");
        assertEquals(200, r.statusCode(), r.body());
        var events = Served.events(r.body());
        var usage = events.getLast().get("usage");
        assertEquals(4, usage.get("prompt_tokens").asInt());
        var finish = events.get(events.size() - 2).get("choices").get(0).get("finish_reason").asText();
        int tokens = usage.get("completion_tokens").asInt();
        assertTrue(finish.equals("length") ? tokens == 5 : finish.equals("stop") && tokens <= 5, finish + " " + tokens);
        var bad = served.post("/v1/completions", "{\"prompt\": [5, 999999], \"max_tokens\": 1}");
        assertEquals(400, bad.statusCode());
        assertTrue(Served.json(bad).get("error").get("message").asText().contains("prompt[1] is not a token id"));
    }

    @Test
    void whatTheModelGeneratedIsInOutputsJsonlAsForARun() throws Exception {
        var r = served.post("/v1/completions", "{\"prompt\": [9, 10, 11], \"max_tokens\": 4, \"ignore_eos\": true}");
        assertEquals(200, r.statusCode(), r.body());
        String text = Served.json(r).get("choices").get(0).get("text").asText();
        long id = Long.parseLong(Served.json(r).get("id").asText().replaceAll(".*-", ""));
        // then: its line is there at once (each is flushed), with the tokens and the text the client got
        var lines = java.nio.file.Files.readAllLines(served.runDir.resolve("outputs.jsonl"));
        var line = lines.stream().map(l -> {
            try {
                return Served.JSON.readTree(l);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(n -> n.get("request_id").asLong() == id).findFirst().orElseThrow(() -> new AssertionError(lines));
        assertEquals(4, line.get("tokens").size());
        assertEquals(text, line.get("text").asText());
    }
}
