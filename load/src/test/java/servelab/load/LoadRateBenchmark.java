package servelab.load;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import servelab.datasets.TraceRequest;
import servelab.runtime.record.Json;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;

/**
 * The load generator's own ceiling: short requests (16 prompt tokens, 4 output tokens) at a fixed rate against a
 * server that answers at once (the tests' JDK-HttpServer SSE server, 0 ms TTFT and ITL, in the same JVM, so both share
 * the machine as they would against a local emulated server). Reports the achieved send rate and how late sends were
 * against their arrival times (p50/p99/max); the generator keeps up when the achieved rate is the offered one and
 * the p99 lag stays small. Usage: {@code load/bench [RATE] [SECONDS] [OUT.json] [TARGET_URL]} (a TARGET_URL loads
 * that server instead, e.g. {@code servelab serve} with the emulated executor).
 */
public final class LoadRateBenchmark {
    private LoadRateBenchmark() {}

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 2000;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Path out = Path.of(args.length > 2 ? args[2] : "load/target/load-rate.json");
        int n = (int) (rate * seconds);
        long periodNanos = (long) (1e9 / rate);
        var trace = new ArrayList<TraceRequest>(n);
        for (int i = 0; i < n; i++) trace.add(TraceRequest.of(i, i * periodNanos, 16, 4));
        try (var local = args.length > 3 ? null : new OpenAiSseServer(0, 0, 0)) {
            String url = args.length > 3 ? args[3] : local.url();
            var endpoint = new Endpoint(URI.create(url), Endpoint.Api.COMPLETIONS,
                    args.length > 3 ? LoadRunner.firstModel(new Endpoint(URI.create(url), Endpoint.Api.COMPLETIONS,
                            "", Optional.empty()), Duration.ofSeconds(10)) : "tiny-test", Optional.empty());
            var runner = new LoadRunner(endpoint, true, Duration.ofSeconds(60), 0, PromptSource.approximate(), Slo.NONE);
            Path runDir = Files.createTempDirectory("load-rate");
            var result = runner.run(trace.stream(), runDir, Map.of("kind", "load-benchmark"));
            var requests = RunResults.load(runDir).requests();
            long[] ids = requests.longs("request_id");
            long[] arrivals = requests.longs("arrival_ns");
            double[] lagMs = new double[ids.length];
            long firstSend = Long.MAX_VALUE, lastSend = 0;
            for (int i = 0; i < ids.length; i++) {
                // arrival_ns counts from the run's origin, where trace time 0 is due
                lagMs[i] = (arrivals[i] - ids[i] * periodNanos) / 1e6;
                firstSend = Math.min(firstSend, arrivals[i]);
                lastSend = Math.max(lastSend, arrivals[i]);
            }
            Arrays.sort(lagMs);
            var json = new LinkedHashMap<String, Object>();
            json.put("offered_rate", rate);
            json.put("requests", n);
            json.put("achieved_send_rate", (n - 1) / ((lastSend - firstSend) / 1e9));
            json.put("completed", result.summary().completed());
            json.put("failed", result.failed());
            // why they failed, by the error's first words (a refusal, a timeout and a reset are different stories)
            var reasons = new java.util.TreeMap<String, Integer>();
            for (var error : requests.strings("error")) {
                if (!error.isEmpty()) reasons.merge(error.length() > 48 ? error.substring(0, 48) : error, 1, Integer::sum);
            }
            json.put("failures_by_reason", reasons);
            json.put("completed_per_s", result.summary().requestThroughput());
            json.put("send_lag_ms_p50", lagMs[lagMs.length / 2]);
            json.put("send_lag_ms_p99", lagMs[(int) (lagMs.length * 0.99)]);
            json.put("send_lag_ms_max", lagMs[lagMs.length - 1]);
            json.put("ttft_ms_p50", result.summary().ttftMs().median());
            json.put("ttft_ms_p99", result.summary().ttftMs().p99());
            json.put("target", args.length > 3 ? url : "in-process JDK HttpServer SSE (0 ms TTFT/ITL)");
            Files.createDirectories(out.toAbsolutePath().getParent());
            Json.write(out, json);
            System.out.println(Files.readString(out));
        }
    }
}
