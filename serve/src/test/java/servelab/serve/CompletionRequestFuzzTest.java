package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A request body is outside input. Property: parsing any bytes on either route gives a request the engine can
 * serve (a non-empty prompt of valid ids, at least one output token, prompt + output within the context length) or
 * an {@link ApiError} 400 with a short message, never another exception. In {@code ./servelab test} this replays
 * the seeds in {@code CompletionRequestFuzzTestInputs/body}; {@code .ci/run} fuzzes it for a bounded time
 * ({@code JAZZER_FUZZ=1}).
 */
class CompletionRequestFuzzTest {
    private static final ServedTokens TOKENS = new PlaceholderTokens();

    /** Each body on both routes, with a context length a long prompt fits and one that little fits. */
    @FuzzTest(maxDuration = "10s")
    void body(byte[] body) {
        for (boolean chat : new boolean[] {false, true}) {
            for (int maxModelLen : new int[] {16, 4096}) check(body, chat, maxModelLen);
        }
    }

    private static void check(byte[] body, boolean chat, int maxModelLen) {
        CompletionRequest request;
        try {
            request = CompletionRequest.parse(body, chat, TOKENS, maxModelLen, null);
        } catch (ApiError e) {
            assertEquals(400, e.status, e.getMessage());
            assertTrue(e.getMessage().length() <= 2000, "error message of " + e.getMessage().length() + " characters");
            return;
        }
        assertTrue(request.promptIds().length > 0, "empty prompt accepted");
        assertTrue(request.maxTokens() >= 1, "max_tokens " + request.maxTokens());
        assertTrue((long) request.promptIds().length + request.maxTokens() <= maxModelLen,
                request.promptIds().length + " + " + request.maxTokens() + " over " + maxModelLen);
        assertTrue(Arrays.stream(request.promptIds()).allMatch(TOKENS::isValidId), "an invalid token id accepted");
        assertTrue(request.stop().stream().noneMatch(String::isEmpty), "an empty stop string accepted");
    }
}
