package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/**
 * The official {@code openai} npm client (src/test/openai-js, a client this project did not write) against
 * {@code servelab serve} on the emulated executor: completions and chat, streaming and not, usage counts equal to
 * the tokens generated. Skipped only when {@code node} or {@code npm} is missing; CI installs the client with
 * {@code npm ci} (.ci/run), and this test runs {@code npm ci} itself when it has not been.
 */
class OpenAiNodeClientTest {

    @Test
    void theOfficialNodeClientGetsWhatTheServerGenerated(@TempDir Path dir) throws Exception {
        assumeTrue(works("node", "--version") && works("npm", "--version"), "node and npm are not on the PATH");
        var script = scriptDir();
        if (!Files.isDirectory(script.resolve("node_modules/openai"))) {
            var npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", script.toString()), 300);
            assertEquals(0, npm.exit, "npm ci failed:\n" + npm.output);
        }
        String printed;
        try (var s = Served.start(dir)) {
            var node = run(List.of("node", script.resolve("check.mjs").toString(), s.base + "/v1", s.session.model()), 120);
            assertEquals(0, node.exit, node.output);
            printed = node.output;
        }
        var got = Served.JSON.readTree(printed.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertEquals(7, got.get("completion").get("usage").get("completion_tokens").asInt());
        assertEquals("length", got.get("completion").get("finish_reason").asText());
        assertEquals(7, new PlaceholderTokens().encode(got.get("completion").get("text").asText()).length);
        var cs = got.get("completionStream");
        assertEquals(11, cs.get("usage").get("completion_tokens").asInt());
        assertEquals(11, cs.get("chunks").asInt());
        assertEquals("length", cs.get("finish_reason").asText());
        assertEquals(5, got.get("chat").get("usage").get("completion_tokens").asInt());
        assertEquals("assistant", got.get("chat").get("role").asText());
        var chs = got.get("chatStream");
        assertEquals(9, chs.get("usage").get("completion_tokens").asInt());
        assertEquals(9, chs.get("chunks").asInt());
        assertEquals(404, got.get("badModel").get("status").asInt());
        assertEquals("NotFoundError", got.get("badModel").get("error").asText()); // what clients catch for it
        assertEquals("model_not_found", got.get("badModel").get("code").asText());
        // the server recorded the same counts
        var outputs = RunResults.load(dir.resolve("run")).requests().longs("output_tokens");
        assertEquals(List.of(7L, 11L, 5L, 9L), java.util.Arrays.stream(outputs).boxed().toList(), "in the order sent");
        assertTrue(printed.contains("\"prompt_tokens\""));
    }

    private record Ran(int exit, String output) {}

    private static Ran run(List<String> command, int timeoutS) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Ran(-1, out + "\n(timed out)");
        }
        return new Ran(p.exitValue(), out);
    }

    private static boolean works(String... command) {
        try {
            return run(List.of(command), 30).exit == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Path scriptDir() {
        for (var candidate : List.of(Path.of("src/test/openai-js"), Path.of("serve/src/test/openai-js"))) {
            if (Files.isDirectory(candidate)) return candidate.toAbsolutePath();
        }
        throw new IllegalStateException("src/test/openai-js not found from " + Path.of("").toAbsolutePath());
    }
}
