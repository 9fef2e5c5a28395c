package servelab.sweep;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code sweep.arrow}: one row per point in grid order: {@code point_id}, {@code status} (ok | failed | missing),
 * {@code error}, {@code member}, {@code attempts}, {@code wall_s}, one column per axis (named by its key; Int64 when
 * every value is an integer, Float64 when every value is a number, else Utf8), {@code replicas}, the numeric
 * fields of the point's summary.json (vLLM's names: {@code request_throughput}, {@code request_goodput},
 * {@code mean_ttft_ms}, ...), and {@code replica_seconds} (the summary's, else replicas x duration: the cost the
 * report weighs goodput against). The schema metadata holds {@code servelab.table=sweep}, the sweep id and the axis
 * keys.
 */
final class SweepTable {
    static final String FILE = "sweep.arrow";
    /** summary.json fields that become columns, in this order (the numeric ones; {@code slo} is text). */
    static final List<String> METRICS = List.of("completed", "failed", "duration", "total_input_tokens",
            "total_output_tokens", "request_throughput", "request_goodput", "output_throughput", "total_token_throughput",
            "preemptions", "mean_ttft_ms", "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms", "mean_tpot_ms",
            "median_tpot_ms", "p90_tpot_ms", "p99_tpot_ms", "mean_itl_ms", "median_itl_ms", "p90_itl_ms", "p99_itl_ms",
            "mean_e2el_ms", "median_e2el_ms", "p90_e2el_ms", "p99_e2el_ms", "slo_attainment");

    private SweepTable() {}

    /** One row's values by column, filled from the sweep folder. */
    private record Row(Map<String, Object> values) {}

    static Path write(SweepPlan plan, SweepFolder folder) throws IOException {
        var axes = List.copyOf(plan.file().axes().keySet());
        var rows = new ArrayList<Row>();
        for (var point : plan.points()) rows.add(row(point, folder));
        var columns = new LinkedHashMap<String, ArrowType>();
        columns.put("point_id", ArrowType.Utf8.INSTANCE);
        columns.put("status", ArrowType.Utf8.INSTANCE);
        columns.put("error", ArrowType.Utf8.INSTANCE);
        columns.put("member", ArrowType.Utf8.INSTANCE);
        columns.put("attempts", new ArrowType.Int(64, true));
        columns.put("wall_s", DOUBLE);
        for (var axis : axes) columns.put(axis, axisType(plan, axis));
        columns.put("replicas", new ArrowType.Int(64, true));
        for (var metric : METRICS) columns.put(metric, DOUBLE);
        columns.put("replica_seconds", DOUBLE);
        columns.put("device_seconds", DOUBLE); // replica-seconds x each replica's profile's devices (after it: added later)
        columns.put("overloaded", ArrowType.Bool.INSTANCE); // summary.json's: the queue grew as long as requests came
        var metadata = new LinkedHashMap<String, String>();
        metadata.put("servelab.table", "sweep");
        metadata.put("servelab.sweep.id", plan.id());
        metadata.put("servelab.sweep.axes", SweepFolder.JSON.writeValueAsString(axes));
        var fields = columns.entrySet().stream()
                .map(e -> new Field(e.getKey(), FieldType.nullable(e.getValue()), null)).toList();
        var file = folder.dir().resolve(FILE);
        var tmp = folder.dir().resolve("." + FILE + ".part");
        try (var allocator = new RootAllocator();
             var root = VectorSchemaRoot.create(new Schema(fields, metadata), allocator);
             var channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE);
             var writer = new ArrowFileWriter(root, null, channel)) {
            root.allocateNew();
            for (int r = 0; r < rows.size(); r++) {
                for (var vector : root.getFieldVectors()) set(vector, r, rows.get(r).values().get(vector.getName()));
            }
            root.setRowCount(rows.size());
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static final ArrowType DOUBLE = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

    private static Row row(Point point, SweepFolder folder) throws IOException {
        var values = new LinkedHashMap<String, Object>();
        values.put("point_id", point.id());
        values.putAll(point.values());
        values.put("replicas", (long) point.replicas());
        var info = folder.pointInfo(point.id());
        var failure = folder.failure(point.id());
        if (info.isPresent()) {
            values.put("status", "ok");
            describe(values, info.get());
            values.put("wall_s", info.get().path("wall_s").asDouble());
            var summary = folder.summary(point.id()).orElseThrow();
            for (var metric : METRICS) {
                var v = summary.path(metric);
                if (v.isNumber()) values.put(metric, v.asDouble());
            }
            if (summary.path("replica_seconds").isNumber()) { // what the fleet was provisioned for (autoscaling)
                values.put("replica_seconds", summary.path("replica_seconds").asDouble());
            } else if (summary.path("duration").isNumber()) { // a run from before the summary recorded it
                values.put("replica_seconds", point.replicas() * summary.path("duration").asDouble());
            }
            if (summary.path("device_seconds").isNumber()) values.put("device_seconds", summary.path("device_seconds").asDouble());
            if (summary.path("overloaded").isBoolean()) values.put("overloaded", summary.path("overloaded").asBoolean());
        } else if (failure.isPresent()) {
            values.put("status", "failed");
            describe(values, failure.get());
            values.put("error", failure.get().path("error").asText());
        } else {
            values.put("status", "missing");
        }
        return new Row(values);
    }

    private static void describe(Map<String, Object> values, JsonNode info) {
        values.put("member", info.path("member").asText());
        values.put("attempts", (long) info.path("attempts").size());
    }

    /**
     * {@code point}'s axis values typed as its sweep.arrow columns are (a whole number, a number, or text), so
     * sweep.json and point.json say {@code 8}, not {@code "8"}, where sweep.arrow holds an Int64.
     */
    static Map<String, Object> typedValues(SweepPlan plan, Point point) {
        var typed = new java.util.LinkedHashMap<String, Object>();
        point.values().forEach((axis, value) -> {
            var type = axisType(plan, axis);
            typed.put(axis, type instanceof ArrowType.Int ? (Object) Long.parseLong(value)
                    : type == DOUBLE ? (Object) Double.parseDouble(value) : value);
        });
        return typed;
    }

    /**
     * An axis's column type: text when the sweep file quotes any of its values ("007" and "7" are two values, which
     * as numbers were one), else a whole number or a number when every value reads as one.
     */
    static ArrowType axisType(SweepPlan plan, String axis) {
        var written = plan.file().axes().get(axis);
        if (written != null && written.stream().anyMatch(json -> json.strip().startsWith("\""))) return ArrowType.Utf8.INSTANCE;
        return axisType(plan.points().stream().map(p -> p.values().get(axis)).toList());
    }

    static ArrowType axisType(List<String> values) {
        boolean integers = values.stream().allMatch(v -> v.matches("-?\\d{1,18}"));
        if (integers) return new ArrowType.Int(64, true);
        boolean numbers = values.stream().allMatch(v -> v.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?"));
        return numbers ? DOUBLE : ArrowType.Utf8.INSTANCE;
    }

    private static void set(FieldVector vector, int row, Object value) {
        switch (vector) {
            case VarCharVector v -> {
                if (value == null) v.setNull(row);
                else v.setSafe(row, value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            case BigIntVector v -> {
                if (value == null) v.setNull(row);
                else v.setSafe(row, value instanceof Number n ? n.longValue() : Long.parseLong(value.toString()));
            }
            case Float8Vector v -> {
                if (value == null) v.setNull(row);
                else v.setSafe(row, value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString()));
            }
            case BitVector v -> {
                if (value == null) v.setNull(row);
                else v.setSafe(row, Boolean.TRUE.equals(value) ? 1 : 0);
            }
            default -> throw new IllegalStateException("sweep.arrow has no column type " + vector.getClass());
        }
    }
}
