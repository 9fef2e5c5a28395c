package servelab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A sweep's folder on the coordinator:
 * <pre>
 * sweep.json               the sweep id, its axes, base, overrides and every point (id, axis values)
 * sweep.arrow              one row per point: id, status, axes, summary metrics, cost
 * points/ID/               the point's run folder (requests/iterations/events.arrow, run.json, summary.json)
 *           point.json     its axis values, the member that ran it and every member that started it
 * failed/ID.json           a point that failed: its error (removed when a later attempt succeeds)
 * </pre>
 * A point folder appears whole or not at all (written aside, then renamed), so a point is complete exactly when its
 * folder exists: that is what a rerun skips.
 */
final class SweepFolder {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    SweepFolder(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("points"));
    }

    Path dir() {
        return dir;
    }

    Path pointDir(String id) {
        return dir.resolve("points").resolve(id);
    }

    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        var map = new LinkedHashMap<String, Object>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    /**
     * Refuses a folder that holds another sweep's results: its points would be left beside this one's and its
     * sweep.json and sweep.arrow overwritten. The same sweep again continues where it stopped.
     */
    void requireSameSweep(SweepPlan plan) throws IOException {
        var description = dir.resolve("sweep.json");
        if (!Files.exists(description)) return;
        var held = JSON.readTree(description.toFile()).path("sweep_id").asText();
        if (!held.equals(plan.id())) {
            throw new IllegalArgumentException(dir + " holds sweep " + held + " (" + JSON.readTree(description.toFile())
                    .path("file").asText() + "), not this one (" + plan.id() + "): a sweep folder holds one sweep; "
                    + "choose another --out, or run that sweep's file again to continue it");
        }
    }

    /** Points of {@code plan} whose folder is complete. */
    int completeCount(SweepPlan plan) {
        int n = 0;
        for (var p : plan.points()) if (isComplete(p.id())) n++;
        return n;
    }

    boolean isComplete(String id) {
        return Files.isRegularFile(pointDir(id).resolve("point.json"));
    }

    void writeDescription(SweepPlan plan) throws IOException {
        var json = new LinkedHashMap<String, Object>();
        json.put("sweep_id", plan.id());
        json.put("file", plan.file().file().toString());
        json.put("base", plan.file().baseFile() == null ? "inline" : plan.file().baseFile().toString());
        json.put("set", plan.file().set());
        json.put("axes", List.copyOf(plan.file().axes().keySet()));
        // LinkedHashMaps, not Map.of, whose key order changes from one JVM to the next
        plan.trace().ifPresent(t -> json.put("trace", ordered("file", t.path().toString(), "sha256", t.sha256())));
        json.put("points", plan.points().stream().map(p -> ordered("id", p.id(), "values", SweepTable.typedValues(plan, p)))
                .toList());
        write(dir.resolve("sweep.json"), JSON.writeValueAsBytes(json));
        Files.writeString(dir.resolve("base.yaml"), plan.file().baseYaml());
    }

    /**
     * Writes a finished point; false when it was already there (a second copy of a point that ran twice). With a
     * trace file, run.json names that file, the one the sweep read, not the member's scratch copy the point ran on.
     */
    boolean writeResult(SweepPlan plan, Point point, PointResult result, List<String> attempts) throws IOException {
        var trace = plan.trace().map(SweepPlan.TraceFile::path);
        var target = pointDir(point.id());
        if (Files.exists(target)) return false;
        var tmp = dir.resolve("points").resolve("." + point.id() + ".part");
        PointTask.delete(tmp);
        Files.createDirectories(tmp);
        for (var file : result.files().entrySet()) Files.write(tmp.resolve(file.getKey()), file.getValue());
        if (trace.isPresent() && Files.exists(tmp.resolve("run.json"))) nameTrace(tmp.resolve("run.json"), trace.get());
        var info = new LinkedHashMap<String, Object>();
        info.put("id", point.id());
        info.put("values", SweepTable.typedValues(plan, point));
        info.put("overrides", point.overrides());
        info.put("member", result.member());
        info.put("attempts", attempts);
        info.put("wall_s", result.wallNanos() / 1e9);
        Files.write(tmp.resolve("point.json"), JSON.writeValueAsBytes(info));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(failedFile(point.id()));
        return true;
    }

    /** Sets run.json's {@code trace.file}, keeping every other byte as the run wrote it (same writer, same order). */
    private static void nameTrace(Path runJson, Path trace) throws IOException {
        var info = servelab.runtime.record.Json.MAPPER.readValue(runJson.toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
        if (info.get("trace") instanceof java.util.Map<?, ?> t && t.containsKey("file")) {
            @SuppressWarnings("unchecked") var section = (java.util.Map<String, Object>) t;
            section.put("file", trace.toString());
            servelab.runtime.record.Json.write(runJson, info);
        }
    }

    void writeFailure(SweepPlan plan, Point point, PointResult result, List<String> attempts) throws IOException {
        var info = new LinkedHashMap<String, Object>();
        info.put("id", point.id());
        info.put("values", SweepTable.typedValues(plan, point));
        info.put("member", result.member());
        info.put("attempts", attempts);
        info.put("error", result.error());
        Files.createDirectories(dir.resolve("failed"));
        write(failedFile(point.id()), JSON.writeValueAsBytes(info));
    }

    Optional<JsonNode> pointInfo(String id) throws IOException {
        var f = pointDir(id).resolve("point.json");
        return Files.isRegularFile(f) ? Optional.of(JSON.readTree(f.toFile())) : Optional.empty();
    }

    Optional<JsonNode> summary(String id) throws IOException {
        var f = pointDir(id).resolve("summary.json");
        return Files.isRegularFile(f) ? Optional.of(JSON.readTree(f.toFile())) : Optional.empty();
    }

    Optional<JsonNode> failure(String id) throws IOException {
        var f = failedFile(id);
        return Files.isRegularFile(f) ? Optional.of(JSON.readTree(f.toFile())) : Optional.empty();
    }

    private Path failedFile(String id) {
        return dir.resolve("failed").resolve(id + ".json");
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        var tmp = file.resolveSibling("." + file.getFileName() + ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
