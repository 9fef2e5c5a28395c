package servelab.load;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * What a server streams back is outside input. Property: every line, and every body, gives an event (a failure
 * naming what was wrong at worst), never an exception, and failure messages stay short (quotes are cut). In
 * {@code ./servelab test} this replays the seeds in {@code StreamParserFuzzTestInputs/lines}; {@code .ci/run} fuzzes
 * it for a bounded time ({@code JAZZER_FUZZ=1}).
 */
class StreamParserFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void lines(byte[] bytes) {
        var parser = new StreamParser();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            var event = parser.line(line);
            assertNotNull(event);
            if (event instanceof StreamParser.Event.Failure f && f.message().length() > 600) {
                throw new AssertionError("failure message of " + f.message().length() + " characters");
            }
        }
        assertNotNull(parser.json(text));
    }
}
