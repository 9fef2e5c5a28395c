package servelab.serve.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.record.Json;
import servelab.runtime.report.RunResults;
import servelab.serve.ServeSession;
import servelab.serve.ServeSpec;

/**
 * Server overhead per token on the emulated executor: N concurrent streaming clients (virtual threads in this JVM)
 * each ask for T tokens; every token's delivery delay is the time its SSE chunk reached the client minus the
 * run-clock time the engine produced it (requests.arrow's token_times_ns, same System.nanoTime clock), and the
 * added ITL is the client's gap between consecutive chunks minus the engine's gap between those tokens. Reports
 * p50/p99 of both per stream count. Usage: ServeOverhead OUT.json PLUGINS_DIR [STREAMS...] (default 64 256).
 */
public final class ServeOverhead {
    private static final int TOKENS = 128;

    private ServeOverhead() {}

    public static void main(String[] args) throws Exception {
        var out = Path.of(args[0]);
        var plugins = Path.of(args[1]);
        var streams = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {64, 256};
        var results = new LinkedHashMap<String, Object>();
        for (int n : streams) results.put(n + " streams", measure(n, plugins, Files.createTempDirectory("serve-bench")));
        Json.write(out, results);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    private static Map<String, Object> measure(int streams, Path plugins, Path dir) throws Exception {
        var exp = ExperimentFile.load(null, List.of("executor=emulated", "kv.blocks=200000"));
        var spec = new ServeSpec(null, 0, null, null, null, null, null, null, null, null, null);
        var arrivals = new ConcurrentHashMap<Long, long[]>(); // request id -> client receive nanos per token
        long origin;
        try (var session = ServeSession.start(exp, spec, dir.resolve("run"), plugins, (a, b, c, d, e) -> { });
             var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            origin = session.originNanos();
            var uri = URI.create("http://127.0.0.1:" + session.port() + "/v1/completions");
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < streams; i++) {
                int client = i;
                futures.add(clients.submit(() -> {
                    var body = "{\"prompt\": \"client " + client + " measures the server\", \"max_tokens\": " + TOKENS
                            + ", \"stream\": true}";
                    var r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    var times = new long[TOKENS];
                    int k = 0;
                    long id = -1;
                    try (var lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            if (!line.startsWith("data: {")) continue;
                            long now = System.nanoTime();
                            if (line.contains("\"finish_reason\":null") && k < TOKENS) times[k++] = now;
                            if (id < 0) {
                                int end = line.indexOf('"', line.indexOf("cmpl-")); // cmpl-SESSION-ID
                                id = Long.parseLong(line.substring(line.lastIndexOf('-', end) + 1, end));
                            }
                        }
                    }
                    arrivals.put(id, times);
                    return null;
                }));
            }
            for (var f : futures) f.get();
        }
        var table = RunResults.load(dir.resolve("run")).requests();
        var ids = table.longs("request_id");
        var tokenTimes = table.longLists("token_times_ns");
        var delay = new ArrayList<Double>();
        var addedItl = new ArrayList<Double>();
        for (int row = 0; row < ids.length; row++) {
            var client = arrivals.get(ids[row]);
            var server = tokenTimes.get(row);
            if (client == null || server.length != TOKENS) continue;
            for (int k = 0; k < TOKENS; k++) {
                delay.add((client[k] - origin - server[k]) / 1e6);
                if (k > 0) addedItl.add(((client[k] - client[k - 1]) - (server[k] - server[k - 1])) / 1e6);
            }
        }
        var m = new LinkedHashMap<String, Object>();
        m.put("streams", streams);
        m.put("tokens_per_stream", TOKENS);
        m.put("requests_measured", arrivals.size());
        m.put("delivery_delay_ms_p50", percentile(delay, 0.50));
        m.put("delivery_delay_ms_p99", percentile(delay, 0.99));
        m.put("added_itl_ms_p50", percentile(addedItl, 0.50));
        m.put("added_itl_ms_p99", percentile(addedItl, 0.99));
        return m;
    }

    private static double percentile(List<Double> values, double q) {
        var sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) return Double.NaN;
        return Math.round(sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000) / 1000.0;
    }
}
