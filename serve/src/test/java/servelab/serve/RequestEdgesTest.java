package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.kernels.tokenizer.BpeTrainer;
import servelab.kernels.tokenizer.ChatTemplate;
import servelab.kernels.tokenizer.Tokenizer;
import servelab.kernels.tokenizer.Vocabulary;

/** Request fields read as vLLM and OpenAI's clients mean them, and refused where they cannot be served. */
class RequestEdgesTest {
    private static final ServedTokens PLACEHOLDER = new PlaceholderTokens();

    private static ApiError refused(String body, boolean chat) {
        return assertThrows(ApiError.class, () -> CompletionRequest.parse(body.getBytes(StandardCharsets.UTF_8), chat,
                PLACEHOLDER, 4096, null, "served"));
    }

    @Test
    void completionsLogprobsZeroAsksForTheSampledTokensOwnAndIsRefused() {
        // it was accepted and answered "logprobs": null
        assertEquals(400, refused("{\"prompt\": \"Hi\", \"logprobs\": 0}", false).status);
        assertEquals(400, refused("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"logprobs\": true}", true).status);
        CompletionRequest.parse("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"logprobs\": false, \"top_logprobs\": 0}"
                .getBytes(StandardCharsets.UTF_8), true, PLACEHOLDER, 4096, null, "served");
        // chat's logprobs is a flag: 0 is false, as vLLM reads it
        CompletionRequest.parse("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"logprobs\": 0}"
                .getBytes(StandardCharsets.UTF_8), true, PLACEHOLDER, 4096, null, "served");
    }

    @Test
    void aTokenIdThatIsNotAnIntegerIsRefused() {
        var e = refused("{\"prompt\": [5, 6.7], \"max_tokens\": 1}", false); // 6.7 was token 6
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("prompt[1]"), e.getMessage());
        // a whole number written with a point is that token, as vLLM reads it
        var whole = CompletionRequest.parse("{\"prompt\": [5, 6.0], \"max_tokens\": 1}".getBytes(StandardCharsets.UTF_8),
                false, PLACEHOLDER, 4096, null, "served");
        assertArrayEquals(new int[] {5, 6}, whole.promptIds());
    }

    @Test
    void anUnknownModelIsA404BeforeAnythingElse() {
        assertEquals(404, refused("{\"model\": \"nope\", \"prompt\": \"Hi\", \"max_tokens\": 0}", false).status);
    }

    @Test
    void anUnpairedSurrogateIsNoText() {
        var e = refused("{\"prompt\": \"a\\ud800b\", \"max_tokens\": 1}", false); // it became "a?b"
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("unpaired UTF-16 surrogate"), e.getMessage());
        assertEquals(400, refused("{\"messages\": [{\"role\": \"user\", \"content\": \"\\udc00\"}]}", true).status);
        assertEquals(400, refused("{\"prompt\": \"ok\", \"stop\": [\"\\ud800\"]}", false).status);
        assertTrue(refused("{\"prompt\": \"ok\", \"stop\": [\"ok\", \"\\udc00x\"]}", false).getMessage().startsWith("stop[1] "));
        assertEquals(400, refused("{\"messages\": [{\"role\": \"user\", \"name\": \"\\ud800\", \"content\": \"x\"}]}", true).status);
        assertEquals(400, refused("{\"messages\": [{\"role\": \"us\\ud800er\", \"content\": \"x\"}]}", true).status);
        // a pair is a character (an emoji), and fine
        CompletionRequest.parse("{\"prompt\": \"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8), false, PLACEHOLDER,
                4096, null, "served");
    }

    @Test
    void textPartsAreJoinedByNewlinesAsVllmJoinsThem() {
        var tokens = new LlamaTokens(new Tokenizer(BpeTrainer.sampleVocabulary()));
        var parts = CompletionRequest.parse(("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", "
                + "\"text\": \"Hello\"}, {\"type\": \"text\", \"text\": \"world\"}]}]}").getBytes(StandardCharsets.UTF_8),
                true, tokens, 4096, null, null);
        var joined = CompletionRequest.parse("{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\\nworld\"}]}"
                .getBytes(StandardCharsets.UTF_8), true, tokens, 4096, null, null);
        assertArrayEquals(joined.promptIds(), parts.promptIds()); // it was "Helloworld"
    }

    @Test
    void specialTokenTextInACompletionPromptIsTheSpecialToken() {
        var tokenizer = new Tokenizer(BpeTrainer.sampleVocabulary());
        var tokens = new LlamaTokens(tokenizer);
        int bos = tokenizer.bos();
        int header = tokenizer.id("<|start_header_id|>").orElseThrow();
        // a prompt rendered with the chat template beforehand is the chat route's tokens (it was literal text)
        var rendered = ChatTemplate.render(List.of(ChatTemplate.Message.user("Hi")), true).substring("<|begin_of_text|>".length());
        assertArrayEquals(tokens.encodeChat(List.of(ChatTemplate.Message.user("Hi"))), tokens.encode(rendered));
        assertEquals(header, tokens.encode("<|start_header_id|>")[1]);
        assertEquals(bos, tokens.encode("x")[0]);
    }

    @Test
    void aModelWithoutTheChatTemplatesTokensRefusesChatWithA400() {
        var sample = BpeTrainer.sampleVocabulary();
        // the same vocabulary with its header tokens renamed, as a model with another chat format has
        var names = new ArrayList<>(sample.tokens());
        names.replaceAll(t -> t.equals("<|start_header_id|>") ? "<|im_start|>" : t.equals("<|end_header_id|>") ? "<|im_end|>" : t);
        var other = new LlamaTokens(new Tokenizer(new Vocabulary(names, sample.tokenTypes(), sample.merges(),
                sample.bosId(), sample.eosId())));
        var e = assertThrows(ApiError.class, () -> other.encodeChat(List.of(ChatTemplate.Message.user("Hi"))));
        assertEquals(400, e.status); // it was a 500 on every chat request
        assertTrue(e.getMessage().contains("no Llama 3 chat template"), e.getMessage());
    }

    @Test
    void theTemplatesTrimIsPythonsStrip() {
        assertEquals("Hi", ChatTemplate.trim("\u00a0Hi\u202f \n"));
        assertEquals("a b", ChatTemplate.trim("  a b\t"));
    }
}
