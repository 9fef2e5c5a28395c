package servelab.kernels.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Turns the rows of {@link VsLlamaCpp} and {@link LlamaCppRunner} into the side-by-side table: per format, thread
 * count and cell, each engine's median tokens/s over the rounds with its range, and the ratio ServeLab / llama.cpp as
 * the median (and range) of per-round ratios (the two ran back to back in each round, so a round's ratio compares
 * like with like). Batch-1 decode also gets "% of bound": tokens/s times the weight bytes over the same round's
 * streaming read of the mapped model file, the fastest of the round's ServeLab processes (each process reads the file
 * after its decode, and on the AMD machine one process's read came out 30.5 GB/s where the other's came out 37.8-41.8
 * in the same round: the slower one is not the bound). ServeLab's rows are split by the kernels they ran on ({@code kernels}:
 * {@code cpu-vector}, or {@code cpu-packed} for the repacked weight matrices; rows without the field are
 * {@code cpu-vector}), each against the same llama.cpp rows.
 *
 * <pre>
 *   RatioTable IN.jsonl OUT.json OUT.md
 * </pre>
 */
public final class RatioTable {
    private RatioTable() {}

    private static final List<String> CELLS = List.of("decode1", "decode8", "decode32", "prefill");
    private static final List<String> KERNELS = List.of("cpu-vector", "cpu-packed");

    public static void main(String[] args) throws IOException {
        var json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var rows = new ArrayList<JsonNode>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank()) {
                rows.add(json.readTree(line));
            }
        }
        var table = new ArrayList<Map<String, Object>>();
        var md = new StringBuilder("| format | threads | cell | ServeLab kernels | ServeLab tokens/s | llama.cpp tokens/s "
                + "| ServeLab / llama.cpp | ServeLab % of mapped read | load (1 min) |\n|---|---:|---|---|---:|---:|---:|---:|---:|\n");
        var keys = new TreeMap<String, List<JsonNode>>();
        for (var r : rows) {
            keys.computeIfAbsent(r.get("format").asText() + "/" + r.get("threads").asInt(), k -> new ArrayList<>()).add(r);
        }
        for (var group : keys.entrySet()) {
            for (String cell : CELLS) {
                for (String kernels : KERNELS) {
                    var entry = entry(group.getValue(), cell, kernels);
                    if (entry == null) {
                        continue;
                    }
                    entry.put("format", group.getKey().split("/")[0]);
                    entry.put("threads", Integer.parseInt(group.getKey().split("/")[1]));
                    table.add(entry);
                    md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", entry.get("format"),
                            entry.get("threads"), cell, kernels, spread(entry.get("servelab")), spread(entry.get("llamacpp")),
                            spread(entry.get("ratio")), spread(entry.get("servelab_percent_of_mapped_read")),
                            spread(entry.get("load1"))));
                }
            }
        }
        var reads = new LinkedHashMap<String, Object>();
        for (var group : keys.entrySet()) {
            for (String cell : List.of("read_mapped", "read_anonymous")) {
                reads.put(group.getKey() + " " + cell + " GB/s", summary(values(group.getValue(), "servelab", cell, "cpu-vector")));
            }
        }
        md.append("\nStreaming reads (GB/s, median (min-max) over rounds):\n\n");
        reads.forEach((k, v) -> md.append("- ").append(k).append(": ").append(spread(v)).append('\n'));
        var out = new LinkedHashMap<String, Object>();
        out.put("cells", table);
        out.put("reads", reads);
        json.writeValue(Path.of(args[1]).toFile(), out);
        Files.writeString(Path.of(args[2]), md);
        System.out.print(md);
    }

    private static Map<String, Object> entry(List<JsonNode> rows, String cell, String kernels) {
        var servelab = byRound(rows, "servelab", cell, kernels);
        if (servelab.isEmpty()) {
            return null;
        }
        var llama = byRound(rows, "llama.cpp", cell, null);
        var ratios = new ArrayList<Double>();
        var percent = new ArrayList<Double>();
        var reads = fastestReads(rows);
        for (var e : servelab.entrySet()) {
            if (llama.containsKey(e.getKey())) {
                ratios.add(e.getValue() / llama.get(e.getKey()));
            }
            if (cell.equals("decode1") && reads.containsKey(e.getKey())) {
                double bytes = weightBytes(rows);
                percent.add(100 * e.getValue() * bytes / (reads.get(e.getKey()) * 1e9));
            }
        }
        var entry = new LinkedHashMap<String, Object>();
        entry.put("cell", cell);
        entry.put("kernels", kernels);
        entry.put("rounds", servelab.size());
        entry.put("servelab", summary(servelab.values()));
        entry.put("llamacpp", summary(llama.values()));
        entry.put("ratio", summary(ratios));
        entry.put("servelab_percent_of_mapped_read", summary(percent));
        entry.put("load1", summary(rows.stream().filter(r -> r.get("cell").asText().equals(cell))
                .filter(r -> !r.get("engine").asText().equals("servelab") || kernels(r).equals(kernels))
                .map(r -> r.get("load1").asDouble()).toList()));
        return entry;
    }

    /** Per round, the fastest streaming read of the mapped model among ServeLab's processes (GB/s). */
    static Map<Integer, Double> fastestReads(List<JsonNode> rows) {
        var reads = new TreeMap<Integer, Double>();
        for (var r : rows) {
            if (r.get("engine").asText().equals("servelab") && r.get("cell").asText().equals("read_mapped")) {
                reads.merge(r.get("round").asInt(), r.get("value").asDouble(), Math::max);
            }
        }
        return reads;
    }

    private static double weightBytes(List<JsonNode> rows) {
        return rows.stream().filter(r -> r.has("weight_bytes")).findFirst().orElseThrow().get("weight_bytes").asDouble();
    }

    /** The kernels a ServeLab row ran on; rows written before the field existed ran on {@code cpu-vector}. */
    private static String kernels(JsonNode row) {
        return row.path("kernels").asText("cpu-vector");
    }

    /** {@code engine}'s values of {@code cell} by round; ServeLab's only those on {@code kernels} ({@code null}: any). */
    private static Map<Integer, Double> byRound(List<JsonNode> rows, String engine, String cell, String kernels) {
        var values = new TreeMap<Integer, Double>();
        for (var r : rows) {
            if (r.get("engine").asText().equals(engine) && r.get("cell").asText().equals(cell)
                    && (kernels == null || kernels(r).equals(kernels))) {
                values.put(r.get("round").asInt(), r.get("value").asDouble());
            }
        }
        return values;
    }

    private static List<Double> values(List<JsonNode> rows, String engine, String cell, String kernels) {
        return new ArrayList<>(byRound(rows, engine, cell, kernels).values());
    }

    /** Median, min and max (null when there are no values). */
    private static Map<String, Double> summary(Collection<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        var s = new LinkedHashMap<String, Double>();
        s.put("median", median);
        s.put("min", sorted.getFirst());
        s.put("max", sorted.getLast());
        return s;
    }

    @SuppressWarnings("unchecked")
    private static String spread(Object summary) {
        if (summary == null) {
            return "–";
        }
        var s = (Map<String, Double>) summary;
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", s.get("median"), s.get("min"), s.get("max"));
    }
}
