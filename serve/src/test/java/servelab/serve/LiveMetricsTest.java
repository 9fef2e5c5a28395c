package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/**
 * {@code /metrics} while a request streams: generation tokens, the time to the first token and the prompt's tokens
 * count as the tokens come out (as vLLM counts each step's), not when the request ends; the totals still equal
 * requests.arrow's. ServeLab's own counters exist at zero from the start, as vLLM's series do.
 */
class LiveMetricsTest {
    private static final String MODEL = "model_name=\"llama-3-8b/h100-80gb\"";

    @Test
    void tokensAndTheFirstTokenCountWhileTheRequestStreams(@TempDir Path dir) throws Exception {
        String after;
        try (var s = Served.start(dir)) {
            var idle = s.get("/metrics").body();
            for (var series : new String[] {"servelab:requests_refused_total{" + MODEL + ",status=\"429\"}",
                    "servelab:requests_refused_total{" + MODEL + ",status=\"503\"}",
                    "servelab:requests_cancelled_total{" + MODEL + "}",
                    "servelab:plugin_swaps_total{kind=\"scheduler\"," + MODEL + "}",
                    "servelab:plugin_swaps_total{kind=\"router\"," + MODEL + "}",
                    "servelab:plugin_faults_total{kind=\"batcher\"," + MODEL + "}"}) {
                assertEquals(0.0, value(idle, series), series);
            }
            try (var socket = new Socket("127.0.0.1", s.session.port())) {
                send(socket.getOutputStream(), "{\"prompt\": \"" + "many words ".repeat(50)
                        + "\", \"max_tokens\": 5000, \"stream\": true}");
                var in = socket.getInputStream();
                var seen = new StringBuilder();
                int chunks = 0;
                while (chunks < 20) { // twenty chunks of tokens reached the client
                    seen.append((char) in.read());
                    if (seen.toString().endsWith("\"text\"")) chunks++;
                }
                var streaming = s.get("/metrics").body();
                assertEquals(1, s.session.engine().pending(), "the request is still running");
                assertTrue(value(streaming, "vllm:generation_tokens_total{engine=\"0\"," + MODEL + "}") >= 20, streaming);
                assertEquals(1.0, value(streaming, "vllm:time_to_first_token_seconds_count{engine=\"0\"," + MODEL + "}"),
                        streaming);
                assertTrue(value(streaming, "vllm:inter_token_latency_seconds_count{engine=\"0\"," + MODEL + "}") >= 19,
                        streaming);
                assertTrue(value(streaming, "vllm:prompt_tokens_total{engine=\"0\"," + MODEL + "}") > 0, streaming);
            } // the client leaves: its request is cancelled
            long started = System.nanoTime();
            while (s.session.engine().pending() > 0) {
                assertTrue(System.nanoTime() - started < 20_000_000_000L, "the request was not cancelled");
                Thread.sleep(5);
            }
            after = s.get("/metrics").body();
        }
        {
            // each token counted once: the ended request's row adds what its tokens had not counted, and nothing twice
            var requests = RunResults.load(dir.resolve("run")).requests();
            long output = requests.longs("output_tokens")[0];
            assertTrue(output >= 20 && output < 5000, "cancelled after " + output + " tokens");
            assertEquals(output, value(after, "vllm:generation_tokens_total{engine=\"0\"," + MODEL + "}"), after);
            assertEquals(output - 1, value(after, "vllm:inter_token_latency_seconds_count{engine=\"0\"," + MODEL + "}"));
            assertEquals(requests.longs("input_tokens")[0],
                    value(after, "vllm:prompt_tokens_total{engine=\"0\"," + MODEL + "}"));
            assertEquals(1.0, value(after, "vllm:time_to_first_token_seconds_count{engine=\"0\"," + MODEL + "}"));
            assertEquals(1.0, value(after, "servelab:requests_cancelled_total{" + MODEL + "}"));
        }
    }

    @Test
    void aRequestThatCompletesAfterItsStreamingClientLeftCountsAsASuccess(@TempDir Path dir) throws Exception {
        // the success was counted by the handler as it wrote the end: a client gone first left it out
        String metrics;
        try (var s = Served.start(dir)) {
            for (int i = 0; i < 20; i++) {
                try (var socket = new Socket("127.0.0.1", s.session.port())) {
                    send(socket.getOutputStream(), "{\"prompt\": \"a few words\", \"max_tokens\": 2, \"stream\": true}");
                    var in = socket.getInputStream();
                    var headers = new StringBuilder();
                    while (!headers.toString().endsWith("\r\n\r\n")) headers.append((char) in.read());
                } // gone right after the headers
            }
            long started = System.nanoTime();
            while (s.session.engine().pending() > 0) {
                assertTrue(System.nanoTime() - started < 20_000_000_000L, "requests still pending");
                Thread.sleep(5);
            }
            metrics = s.get("/metrics").body();
        }
        var outcomes = RunResults.load(dir.resolve("run")).requests().strings("outcome");
        long completed = outcomes.stream().filter("completed"::equals).count();
        assertTrue(completed > 0, outcomes.toString());
        double successes = value(metrics, "vllm:request_success_total{engine=\"0\",finished_reason=\"length\"," + MODEL + "}")
                + value(metrics, "vllm:request_success_total{engine=\"0\",finished_reason=\"stop\"," + MODEL + "}");
        assertEquals(completed, successes, outcomes + "\n" + metrics);
    }

    /** The value of the series whose name and labels are {@code series}; fails when it is missing. */
    @Test
    void tokensOfOneStepMakeOneInterTokenLatencyAsVllmObservesIt() throws Exception {
        // given: a request whose second step gave three tokens at once (a verification that accepted two drafts)
        var metrics = new ServeMetrics("m");
        metrics.routed(1, 0, 0, 10);
        metrics.tokens(1, 0, 1, 100_000_000);
        metrics.tokens(1, 1, 4, 150_000_000);
        metrics.tokens(1, 4, 5, 180_000_000);
        var out = new java.io.ByteArrayOutputStream();
        metrics.write(out);
        var body = out.toString(StandardCharsets.UTF_8);
        // then: two gaps, 50 and 30 ms (there were four: 50, 0, 0 and 30 ms), and all five tokens counted
        assertEquals(2.0, value(body, "vllm:inter_token_latency_seconds_count{engine=\"0\",model_name=\"m\"}"), body);
        assertEquals(0.08, value(body, "vllm:inter_token_latency_seconds_sum{engine=\"0\",model_name=\"m\"}"), 1e-12);
        assertEquals(5.0, value(body, "vllm:generation_tokens_total{engine=\"0\",model_name=\"m\"}"), body);
    }

    private static double value(String body, String series) {
        return body.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError(series + " missing from\n" + body));
    }

    private static void send(OutputStream out, String body) throws Exception {
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
