package servelab.runtime.record;

import static servelab.runtime.record.ImportedRun.nanos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Imports the result JSON of {@code vllm bench serve --save-result --save-detailed} (formerly
 * {@code benchmarks/benchmark_serving.py}) as a run folder with a requests table, so reports can set vLLM's
 * measurements beside ours.
 *
 * <p>The per-request arrays vLLM writes (vllm/benchmarks/serve.py, {@code benchmark()}), index i = request i:
 * <pre>
 * "input_lens":  prompt tokens                      "output_lens": output tokens (0 when failed)
 * "ttfts":       time to first token, s             "itls":        per-request list of gaps between chunks, s
 * "latencies":   end-to-end latency, s (newer)      "start_times": time.perf_counter() when sent, s (newer)
 * "errors":      "" on success, else the error
 * </pre>
 * Without {@code --save-detailed} vLLM leaves these arrays out and there is nothing per request to import.
 *
 * <p>Mapping: arrival = start time minus the earliest start time (0 for every request when {@code start_times}
 * is absent, which run.json then says); first token = arrival + ttft; completion = arrival + latency, or
 * arrival + ttft + sum(itls) when {@code latencies} is absent. {@code itl_ms} holds vLLM's own ITLs, which are
 * gaps between streamed chunks (a chunk may carry several tokens), exactly what vLLM's ITL statistics use.
 * Unknown to vLLM, hence null: replica, first scheduled time, cached prefix tokens, preemptions, per-token times,
 * speculative-decoding counts. Tenant is "default", priority 0.
 */
public final class VllmImporter {

    private static final List<String> REQUIRED = List.of("input_lens", "output_lens", "ttfts", "itls");
    private static final List<String> OPTIONAL = List.of("latencies", "start_times", "errors");

    private VllmImporter() {
    }

    /**
     * Reads {@code file} and writes {@code runDir}/requests.arrow and run.json.
     *
     * @return the number of requests imported
     * @throws ImportException naming the file and the key (and index) that is missing or malformed
     */
    public static int importTo(Path file, Path runDir) throws IOException {
        if (Files.isDirectory(file)) throw new ImportException(file, "is a folder; give the file in it");
        JsonNode root = parse(file);
        int n = checkArrays(file, root);
        var startTimes = root.get("start_times");
        double origin = Double.POSITIVE_INFINITY;
        if (startTimes != null) for (int i = 0; i < n; i++) origin = Math.min(origin, seconds(file, root, "start_times", i));
        var requests = new ArrayList<TableColumns.RequestEntry>(n);
        for (int i = 0; i < n; i++) requests.add(request(file, root, i, startTimes == null ? 0 : origin));
        ImportedRun.write(runDir, requests, runInfo(file, root, startTimes != null));
        return n;
    }

    private static TableColumns.RequestEntry request(Path file, JsonNode root, int i, double origin) throws ImportException {
        String error = text(root, "errors", i);
        int input = count(file, root, "input_lens", i);
        int output = count(file, root, "output_lens", i);
        double offset = root.has("start_times") ? seconds(file, root, "start_times", i) - origin : 0;
        if (offset > ImportedRun.MAX_SECONDS) {
            throw new ImportException(file, "start_times[" + i + "] is more than 1e9 seconds (about 31 years) after the "
                    + "first start time");
        }
        long arrival = nanos(offset);
        if (!error.isEmpty()) {
            var row = new RequestRow(i, -1, "default", 0, arrival, -1, -1, -1, input, output, -1, -1, new long[0],
                    -1, -1, -1, error);
            return new TableColumns.RequestEntry(row, RequestMetrics.of(row, Slo.NONE));
        }
        double ttft = seconds(file, root, "ttfts", i);
        if (ttft < 0) throw new ImportException(file, "ttfts[" + i + "] is negative (" + ttft + " s)");
        if (ttft > ImportedRun.MAX_SECONDS) {
            throw new ImportException(file, "ttfts[" + i + "] is more than 1e9 seconds (about 31 years): " + ttft);
        }
        double[] itlMs = itlsMs(file, root.get("itls").get(i), i);
        if (itlMs.length > Math.max(0, output - 1)) { // a gap lies between two chunks, each of one token or more
            throw new ImportException(file, "itls[" + i + "] has " + itlMs.length + " gaps, more than output_lens[" + i
                    + "] - 1 = " + Math.max(0, output - 1) + " (each gap lies between two streamed chunks of one token "
                    + "or more): the arrays do not describe the same requests");
        }
        double latency = root.has("latencies") ? seconds(file, root, "latencies", i) : ttft + sumSeconds(itlMs);
        if (latency < ttft - 1e-6) {
            throw new ImportException(file, "latencies[" + i + "] (" + latency + " s) is less than ttfts[" + i + "] ("
                    + ttft + " s): a request ends after its first token");
        }
        if (latency > ImportedRun.MAX_SECONDS) {
            throw new ImportException(file, (root.has("latencies") ? "latencies[" + i + "]" : "ttfts[" + i + "] and itls["
                    + i + "]") + " make a latency of more than 1e9 seconds (about 31 years): " + latency);
        }
        long firstToken = arrival + nanos(ttft);
        // latency >= ttft in every real file; max() only guards against a rounding step backwards
        long completion = Math.max(firstToken, arrival + nanos(latency));
        var row = new RequestRow(i, -1, "default", 0, arrival, -1, firstToken, completion, input, output, -1, -1,
                new long[0], -1, -1, -1, "");
        return new TableColumns.RequestEntry(row, RequestMetrics.of(row, Slo.NONE).withItlMs(itlMs));
    }

    private static JsonNode parse(Path file) throws IOException {
        JsonNode root;
        // read as UTF-8 text, never bytes: Jackson would guess UTF-32 from leading zero bytes (see Utf8Reader)
        try (var text = new Utf8Reader(Files.newInputStream(file))) {
            // NaN and Infinity: Python's json.dump writes them (in summary fields such as a std of one value)
            root = Json.MAPPER.reader().with(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .readTree(text);
        } catch (Utf8Reader.NotUtf8 e) {
            throw new ImportException(file, e.getMessage() + "; JSON files are UTF-8", e);
        } catch (JsonProcessingException e) {
            throw new ImportException(file, "not JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ImportException(file, "not a vLLM result: expected a JSON object with keys " + REQUIRED);
        }
        return root;
    }

    /** Every per-request key present is an array of the same length; returns that length. */
    private static int checkArrays(Path file, JsonNode root) throws ImportException {
        for (String key : REQUIRED) {
            if (!root.has(key)) {
                throw new ImportException(file, "key '" + key + "' is missing; vLLM writes the per-request arrays "
                        + REQUIRED + " (and " + OPTIONAL + ") only with --save-detailed");
            }
        }
        int n = root.get("input_lens").size();
        if (n == 0) throw new ImportException(file, "holds no requests: its per-request arrays are empty");
        for (String key : concat(REQUIRED, OPTIONAL)) {
            var array = root.get(key);
            if (array == null) continue;
            if (!array.isArray()) throw new ImportException(file, "key '" + key + "' must be an array, was " + array.getNodeType());
            if (array.size() != n) {
                throw new ImportException(file, "key '" + key + "' has " + array.size() + " entries, 'input_lens' has " + n);
            }
        }
        return n;
    }

    private static double seconds(Path file, JsonNode root, String key, int i) throws ImportException {
        var v = root.get(key).get(i);
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new ImportException(file, key + "[" + i + "] must be a number of seconds, was " + shown(v));
        }
        return v.asDouble();
    }

    /** A value as the file wrote it (NaN, not Jackson's quoted "NaN"). */
    private static String shown(JsonNode v) {
        return v.isNumber() ? v.asText() : v.toString();
    }

    private static int count(Path file, JsonNode root, String key, int i) throws ImportException {
        var v = root.get(key).get(i);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new ImportException(file, key + "[" + i + "] must be a token count >= 0, was " + v);
        }
        return v.asInt();
    }

    private static String text(JsonNode root, String key, int i) {
        var array = root.get(key);
        if (array == null || array.get(i).isNull()) return "";
        return array.get(i).isTextual() ? array.get(i).asText() : array.get(i).toString();
    }

    private static double[] itlsMs(Path file, JsonNode itls, int i) throws ImportException {
        if (!itls.isArray()) throw new ImportException(file, "itls[" + i + "] must be an array of seconds, was " + itls);
        var ms = new double[itls.size()];
        for (int k = 0; k < ms.length; k++) {
            var v = itls.get(k);
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new ImportException(file, "itls[" + i + "][" + k + "] must be a number of seconds, was " + shown(v));
            }
            ms[k] = v.asDouble() * 1000;
        }
        return ms;
    }

    private static double sumSeconds(double[] ms) {
        double sum = 0;
        for (double x : ms) sum += x;
        return sum / 1000;
    }

    /** run.json: where the data came from, and vLLM's own scalar results (date, model, duration, ...) in file order. */
    private static Map<String, Object> runInfo(Path file, JsonNode root, boolean arrivalsKnown) {
        var vllm = new LinkedHashMap<String, Object>();
        for (var e : root.properties()) {
            if (e.getValue().isValueNode()) vllm.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
        }
        var info = new LinkedHashMap<String, Object>();
        info.put("source", "vllm bench serve");
        info.put("imported_from", file.getFileName().toString());
        info.put("arrival_times", arrivalsKnown ? "start_times minus the earliest start time"
                : "unknown (no start_times in the file): every request is placed at 0, so durations are not meaningful");
        info.put("vllm", vllm);
        return info;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
