package servelab.runtime.report.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A sweep's {@code sweep.arrow} (written by {@code servelab sweep}): one row per point, its axes, status, summary
 * metrics and cost. Read from the file only, so the report and notebooks need no cluster.
 *
 * {@snippet :
 * var sweep = SweepResults.load(Path.of("sweeps/schedulers"));
 * double[] goodput = sweep.doubles(sweep.goodputColumn());
 * List<String> schedulers = sweep.strings("plugins.scheduler.name");
 * }
 *
 * @param dir     the sweep folder
 * @param id      the sweep id
 * @param axes    axis keys (column names), in the sweep file's order
 * @param columns every column by name, one value per point (null where missing)
 */
public record SweepResults(Path dir, String id, List<String> axes, Map<String, List<Object>> columns) {
    public static final String FILE = "sweep.arrow";

    /** Whether {@code dir} is a sweep folder. */
    public static boolean isSweep(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    public static SweepResults load(Path dir) throws IOException {
        var file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(dir + ": no " + FILE + " (not a sweep folder)");
        var columns = new LinkedHashMap<String, List<Object>>();
        try (var allocator = new RootAllocator();
             var channel = Files.newByteChannel(file);
             var reader = new ArrowFileReader(channel, allocator)) {
            var metadata = reader.getVectorSchemaRoot().getSchema().getCustomMetadata();
            if (!"sweep".equals(metadata.get("servelab.table"))) {
                throw new IllegalArgumentException(file + ": not a sweep table (servelab.table is "
                        + metadata.get("servelab.table") + ")");
            }
            while (reader.loadNextBatch()) {
                var root = reader.getVectorSchemaRoot();
                for (var v : root.getFieldVectors()) {
                    var list = columns.computeIfAbsent(v.getName(), k -> new ArrayList<>());
                    for (int r = 0; r < root.getRowCount(); r++) {
                        var value = v.getObject(r);
                        list.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
                    }
                }
            }
            List<String> axes = List.of(new ObjectMapper().readValue(metadata.get("servelab.sweep.axes"), String[].class));
            return new SweepResults(dir, metadata.get("servelab.sweep.id"), axes, columns);
        }
    }

    public int size() {
        return columns.get("point_id").size();
    }

    /** A column as text (numbers as Java prints them; null as "n/a"). */
    public List<String> strings(String column) {
        return get(column).stream().map(v -> v == null ? "n/a" : v.toString()).toList();
    }

    /** A numeric column as doubles, NaN where null. */
    public double[] doubles(String column) {
        return get(column).stream().mapToDouble(v -> v instanceof Number n ? n.doubleValue() : Double.NaN).toArray();
    }

    /** Whether the axis' values are numbers (lines over it) or names (bars). */
    public boolean isNumeric(String column) {
        return get(column).stream().allMatch(v -> v == null || v instanceof Number);
    }

    /** Distinct values of a column, in order of first appearance. */
    public List<String> distinct(String column) {
        return strings(column).stream().distinct().toList();
    }

    /**
     * The cost a front weighs goodput against: {@code device_seconds} when some point's differs from its
     * {@code replica_seconds} (a profile on several devices, tensor-parallel), else {@code replica_seconds}.
     */
    public String costColumn() {
        if (!columns.containsKey("device_seconds")) return "replica_seconds";
        var replica = doubles("replica_seconds");
        var device = doubles("device_seconds");
        for (int i = 0; i < replica.length; i++) {
            if (!Double.isNaN(device[i]) && !Double.isNaN(replica[i]) && device[i] != replica[i]) return "device_seconds";
        }
        return "replica_seconds";
    }

    /** {@code request_goodput} when the points had SLOs, else {@code request_throughput}. */
    public String goodputColumn() {
        return get("request_goodput").stream().anyMatch(v -> v != null) ? "request_goodput" : "request_throughput";
    }

    private List<Object> get(String column) {
        var values = columns.get(column);
        if (values == null) {
            throw new IllegalArgumentException("sweep.arrow has no column '" + column + "'; columns: "
                    + String.join(", ", columns.keySet()));
        }
        return values;
    }
}
