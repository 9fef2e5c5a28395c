package servelab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;
import servelab.kernels.tokenizer.BpeTrainer;
import servelab.kernels.tokenizer.Tokenizer;

class PromptSourceTest {
    @Test
    void withTheTargetsTokenizerAPromptIsExactlyTheTracesLength() {
        // given: a Llama 3-style byte-level BPE tokenizer trained on a small corpus
        var tokenizer = new Tokenizer(BpeTrainer.sampleVocabulary());
        var prompts = PromptSource.fromTokenizer(tokenizer, "sample");
        // then: every word is one token, and prompts encode to the trace's input length
        assertTrue(prompts.words().size() >= 2, prompts.words().toString());
        for (var w : prompts.words()) assertEquals(1, tokenizer.encode(w).length, "'" + w + "'");
        for (int n : new int[] {1, 7, 100, 1500}) {
            var r = new TraceRequest(n, 0, n, 1, "default", 0, new long[] {42, 43}, 512);
            assertEquals(n, tokenizer.encode(prompts.prompt(r)).length, "prompt of " + n + " tokens");
        }
    }

    @Test
    void theApproximationIsOneWordPerToken() {
        var r = TraceRequest.of(3, 0, 250, 1);
        String prompt = PromptSource.approximate().prompt(r);
        assertEquals(250, prompt.strip().split(" ").length);
    }
}
