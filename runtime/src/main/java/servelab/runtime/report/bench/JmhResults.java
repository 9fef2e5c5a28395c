package servelab.runtime.report.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import servelab.runtime.record.Json;
import servelab.runtime.report.InvalidResultsException;

/**
 * Reads the JSON JMH writes with {@code -rf json}: an array with one object per benchmark, mode and parameter
 * set, each with {@code benchmark}, {@code mode}, optional {@code params} and {@code primaryMetric} holding
 * {@code score}, {@code scoreError} (a number, or the string {@code "NaN"}) and {@code scoreUnit}. Anything else
 * (another tool's JSON, a ServeLab benchmark that is not JMH) is refused with a message naming the file.
 */
public final class JmhResults {
    private static final String EXPECTED = "servelab bench reads JMH's JSON (-rf json): an array of objects with "
            + "benchmark, mode and primaryMetric {score, scoreError, scoreUnit}";

    private JmhResults() {
    }

    /** The results in file order. */
    public static List<JmhResult> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new InvalidResultsException(file, "no such file");
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new InvalidResultsException(file, "not JSON (" + e.getOriginalMessage() + "); " + EXPECTED, e);
        }
        if (root == null || root.isMissingNode()) throw new InvalidResultsException(file, "is empty; " + EXPECTED);
        if (!root.isArray()) {
            throw new InvalidResultsException(file, "not JMH results: the top level is a JSON " + kind(root)
                    + (root.isObject() ? " with keys " + keys(root) : "") + "; " + EXPECTED);
        }
        if (root.isEmpty()) throw new InvalidResultsException(file, "holds no results (an empty array); " + EXPECTED);
        var out = new ArrayList<JmhResult>();
        var seen = new java.util.HashMap<String, Integer>();
        for (int i = 0; i < root.size(); i++) {
            var r = result(file, i, root.get(i));
            // one JMH run never repeats a benchmark, mode and parameters: two files joined would pair only one with
            // its baseline and leave the other "new", a regression unflagged
            var earlier = seen.put(r.key(), i);
            if (earlier != null) {
                throw new InvalidResultsException(file, "element " + i + " repeats element " + earlier + " ("
                        + r.key() + "): one file per JMH run");
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    private static JmhResult result(Path file, int index, JsonNode node) throws InvalidResultsException {
        String where = "element " + index;
        if (!node.isObject()) {
            throw new InvalidResultsException(file, "not JMH results: " + where + " is a JSON " + kind(node) + "; " + EXPECTED);
        }
        var metric = node.get("primaryMetric");
        if (!text(node, "benchmark") || !text(node, "mode") || metric == null || !metric.isObject()) {
            throw new InvalidResultsException(file, "not JMH results: " + where + " has keys " + keys(node)
                    + ", not benchmark, mode and primaryMetric; " + EXPECTED);
        }
        if (!metric.path("score").isNumber() || !text(metric, "scoreUnit")) {
            throw new InvalidResultsException(file, "not JMH results: " + where + " (" + node.get("benchmark").asText()
                    + ") has a primaryMetric without a numeric score and a scoreUnit; " + EXPECTED);
        }
        var params = new LinkedHashMap<String, String>();
        node.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
        var error = metric.path("scoreError");
        double err = error.isNumber() ? error.asDouble() : Double.NaN; // JMH writes "NaN" as a string
        return JmhResult.of(node.get("benchmark").asText(), node.get("mode").asText(), params,
                metric.get("score").asDouble(), err, metric.get("scoreUnit").asText());
    }

    private static boolean text(JsonNode node, String field) {
        return node.path(field).isTextual();
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String keys(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names.size() > 8 ? names.subList(0, 8) + " (and " + (names.size() - 8) + " more)" : names.toString();
    }
}
