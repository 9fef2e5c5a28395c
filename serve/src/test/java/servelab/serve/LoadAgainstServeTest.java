package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.datasets.TraceRequest;
import servelab.load.Endpoint;
import servelab.load.LoadRunner;
import servelab.load.PromptSource;
import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;

/** `servelab load` against `servelab serve` (emulated executor) in one JVM: both sides measure the same requests. */
class LoadAgainstServeTest {
    private static final int REQUESTS = 60;

    @Test
    void clientTtftFollowsTheServersAndAHotSwapShowsInBoth(@TempDir Path dir) throws Exception {
        var clientRun = dir.resolve("client");
        LoadRunner.Result result;
        try (var s = Served.start(dir)) {
            // 60 requests 50 ms apart (3 s), 64 prompt tokens, 16 output tokens
            var trace = LongStream.range(0, REQUESTS).mapToObj(i -> new TraceRequest(i, i * 50_000_000L, 64, 16, "t", 0,
                    new long[0], 0));
            var endpoint = new Endpoint(URI.create(s.base + "/v1/"), Endpoint.Api.COMPLETIONS, s.session.model(),
                    Optional.empty());
            var runner = new LoadRunner(endpoint, true, Duration.ofSeconds(30), 0, PromptSource.approximate(), Slo.NONE);
            var swap = Thread.ofVirtual().start(() -> switchScheduler(s.runDir, 1500));
            result = runner.run(trace, clientRun, Map.of("kind", "load"));
            swap.join();
        }
        // the client's requests all completed, across the swap
        assertEquals(REQUESTS, result.sent());
        assertEquals(0, result.failed());
        var swaps = RunResults.load(dir.resolve("run")).table(ResultTable.EVENTS).orElseThrow();
        var types = swaps.strings("type");
        var to = swaps.strings("to_value");
        boolean swapped = false;
        for (int i = 0; i < types.size(); i++) swapped |= types.get(i).equals("swap") && to.get(i).startsWith("sjf");
        assertTrue(swapped, "no swap to sjf in the server's events.arrow: " + types + " " + to);
        var schedulers = RunResults.load(dir.resolve("run")).table(ResultTable.ITERATIONS).orElseThrow()
                .strings("scheduler");
        assertTrue(schedulers.getFirst().startsWith("fcfs@") && schedulers.getLast().startsWith("sjf@"),
                "the server ran fcfs, then sjf: " + schedulers.getFirst() + " .. " + schedulers.getLast());
        // TTFT: the client sees the server's plus the network and its own parsing, never less
        var serverSummary = Served.JSON.readTree(dir.resolve("run/summary.json").toFile());
        double server = serverSummary.get("median_ttft_ms").asDouble();
        // and: the server's summary counts outcomes as a run's does, every request it answered completed
        assertEquals(serverSummary.get("completed").asLong(), serverSummary.get("outcome_completed").asLong(),
                serverSummary.toString());
        double client = Served.JSON.readTree(clientRun.resolve("summary.json").toFile()).get("median_ttft_ms").asDouble();
        assertTrue(server > 0, "server median TTFT " + server);
        // generous on a loaded shared machine: loopback plus scheduling of the client's threads
        assertTrue(client >= server && client - server < 250,
                "client median TTFT " + client + " ms, server's " + server + " ms");
    }

    /** {@code servelab ctl switch scheduler sjf} over the run's control port, after {@code delayMs}. */
    private static void switchScheduler(Path runDir, long delayMs) {
        try {
            Thread.sleep(delayMs);
            int port = Integer.parseInt(Files.readString(runDir.resolve("control.port")).strip());
            try (var socket = new Socket(InetAddress.getLoopbackAddress(), port);
                 var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                 var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                var key = servelab.runtime.host.ControlFiles.key(runDir);
                if (key.isPresent()) out.println("auth " + key.get());
                out.println("switch scheduler sjf");
                for (String line; (line = in.readLine()) != null && !line.equals("ok"); ) {
                    if (line.startsWith("error")) throw new AssertionError(line);
                }
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
