package servelab.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import servelab.runtime.experiment.ExecutorKind;
import servelab.runtime.experiment.Experiment;
import servelab.runtime.experiment.ExperimentFile;

/**
 * The points of a sweep: the grid of its axes, filtered by its constraints, optionally sampled, each resolved to an
 * experiment (so a bad key fails here, naming the axis, before anything runs) and given its stable id.
 *
 * @param file    the sweep file
 * @param id      16 hex digits of SHA-256 over the sorted point ids: the same set of experiments, the same sweep id
 * @param points  in grid order
 * @param trace   the trace file every point reads, with its SHA-256, when the base replays a file
 * @param realModel whether a point runs on the model executor (its JVM needs the Vector API)
 * @param candidates the points the axes and constraints leave, before any sample
 */
public record SweepPlan(SweepFile file, String id, List<Point> points, Optional<TraceFile> trace, boolean realModel,
                        int candidates) {

    /** A trace file and the SHA-256 of its bytes (how members fetch it from the cluster). */
    public record TraceFile(Path path, String sha256) {
        public String fileName() {
            return path.getFileName().toString();
        }
    }

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    public static SweepPlan of(SweepFile file) {
        var base = baseFile(file);
        checkAxisKeys(file, base);
        var grid = grid(file.axes());
        var kept = grid.stream().filter(v -> file.constraints().stream().allMatch(c -> c.test(v))).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(file.file() + ": the constraints remove every one of the " + grid.size()
                    + " points: " + String.join("; ", file.constraints().stream().map(Constraint::text).toList()));
        }
        var chosen = file.sample().map(s -> sample(kept, s)).orElse(kept);
        var traces = new LinkedHashMap<Path, String>();
        var points = new ArrayList<Point>();
        boolean realModel = false;
        for (var values : chosen) {
            var overrides = new ArrayList<>(file.set());
            values.forEach((k, v) -> overrides.add(k + "=" + file.axes().get(k).get(indexOf(file, k, v))));
            var experiment = load(file, base, overrides, values);
            var trace = traceOf(experiment, traces);
            realModel |= experiment.executor() == ExecutorKind.MODEL;
            points.add(new Point(grid.indexOf(values), pointId(experiment, trace), values, overrides,
                    experiment.replicas()));
        }
        var ids = points.stream().map(Point::id).sorted().toList();
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException(file.file() + ": two points resolve to the same experiment (an axis "
                    + "value that changes nothing?)");
        }
        if (traces.size() > 1) {
            throw new IllegalArgumentException(file.file() + ": the points read " + traces.size() + " trace files ("
                    + traces.keySet() + "); a sweep shares one trace file");
        }
        var trace = traces.entrySet().stream().findFirst().map(e -> new TraceFile(e.getKey(), e.getValue()));
        return new SweepPlan(file, sha256(String.join(",", ids)).substring(0, 16), List.copyOf(points), trace,
                realModel, kept.size());
    }

    /**
     * Makes every plugin each point chooses, with its parameters, in {@code registry}: a misspelt parameter axis
     * (or a value a plugin refuses) fails here, naming the point, rather than in every point once the sweep runs.
     *
     * @throws IllegalArgumentException naming the sweep file, the point and the plugin's own message
     */
    public void checkPlugins(servelab.runtime.host.PluginRegistry registry) {
        var base = baseFile(file);
        var checked = new java.util.HashSet<servelab.runtime.host.PluginSelection>();
        for (var point : points) {
            for (var choice : servelab.runtime.experiment.ExperimentRunner.choices(load(file, base, point.overrides(),
                    point.values()))) {
                if (!checked.add(choice)) continue;
                try {
                    registry.instantiate(choice);
                } catch (servelab.api.PluginParameterException | servelab.runtime.host.PluginException e) {
                    throw new IllegalArgumentException(file.file() + ": point " + point.values() + ": " + e.getMessage());
                }
            }
        }
    }

    /** The base as a file ExperimentFile can read: the given one, or the inline map written next to nothing. */
    private static Path baseFile(SweepFile file) {
        if (file.baseFile() != null) return file.baseFile();
        try {
            var tmp = Files.createTempFile("servelab-sweep-base-", ".yaml");
            tmp.toFile().deleteOnExit();
            Files.writeString(tmp, file.baseYaml());
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each axis alone, with its first value, so an unknown key is reported as the axis it is. */
    private static void checkAxisKeys(SweepFile file, Path base) {
        if (!file.set().isEmpty()) { // a bad `set:` entry was blamed on the first axis
            try {
                ExperimentFile.load(base, file.set());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file.file() + ": set: " + e.getMessage());
            }
        }
        for (var axis : file.axes().entrySet()) {
            var overrides = new ArrayList<>(file.set());
            overrides.add(axis.getKey() + "=" + axis.getValue().getFirst());
            try {
                ExperimentFile.load(base, overrides);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file.file() + ": axis '" + axis.getKey() + "': " + e.getMessage());
            }
        }
    }

    private static Experiment load(SweepFile file, Path base, List<String> overrides, Map<String, String> values) {
        try {
            return ExperimentFile.load(base, overrides);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.file() + ": point " + values + ": " + e.getMessage());
        }
    }

    /** Every combination of the axes' values (plain text), the last axis varying fastest. */
    static List<Map<String, String>> grid(Map<String, List<String>> axes) {
        var grid = new ArrayList<Map<String, String>>();
        grid.add(new LinkedHashMap<>());
        for (var axis : axes.entrySet()) {
            var next = new ArrayList<Map<String, String>>();
            for (var partial : grid) {
                for (var json : axis.getValue()) {
                    var values = new LinkedHashMap<>(partial);
                    values.put(axis.getKey(), plain(json));
                    next.add(values);
                }
            }
            grid = next;
        }
        return grid;
    }

    private static int indexOf(SweepFile file, String key, String plain) {
        var values = file.axes().get(key);
        for (int i = 0; i < values.size(); i++) if (plain(values.get(i)).equals(plain)) return i;
        throw new IllegalStateException("no value " + plain + " on axis " + key);
    }

    /** The text of a JSON value as a person reads it: strings without their quotes. */
    static String plain(String json) {
        try {
            var node = CANONICAL.readTree(json);
            return node.isTextual() ? node.asText() : node.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map<String, String>> sample(List<Map<String, String>> points, SweepFile.Sample sample) {
        if (sample.count() >= points.size()) return points;
        var shuffled = new ArrayList<>(points);
        var random = new SplittableRandom(sample.seed());
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            var t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        var chosen = new ArrayList<>(shuffled.subList(0, sample.count()));
        chosen.sort(Comparator.comparingInt(points::indexOf));
        return chosen;
    }

    private static String traceOf(Experiment experiment, Map<Path, String> traces) {
        var file = experiment.trace().file();
        if (file == null) return "synthetic";
        var path = Path.of(file).toAbsolutePath().normalize();
        return traces.computeIfAbsent(path, p -> {
            try {
                return sha256(Files.readAllBytes(p));
            } catch (IOException e) {
                throw new IllegalArgumentException("trace.file " + file + ": cannot read: " + e.getMessage());
            }
        });
    }

    /** The experiment as canonical JSON, the trace named by its hash instead of its path, the output folder left out. */
    static String pointId(Experiment experiment, String traceSha) {
        ObjectNode tree = CANONICAL.valueToTree(experiment);
        tree.remove("output");
        if (tree.get("trace") instanceof ObjectNode trace && trace.hasNonNull("file")) trace.put("file", "sha256:" + traceSha);
        JsonNode sorted = CANONICAL.valueToTree(CANONICAL.convertValue(tree, Object.class));
        try {
            return sha256(CANONICAL.writeValueAsString(sorted) + "\n" + traceSha).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
