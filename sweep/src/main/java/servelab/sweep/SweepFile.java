package servelab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import servelab.runtime.experiment.ExperimentFile;

/**
 * A sweep file as written: the base experiment, overrides applied to every point, the axes, an optional seeded
 * sample and constraints. Errors name the file and the key.
 *
 * {@snippet lang=yaml :
 * base: experiment.yaml            # a path (relative to this file) or an inline experiment map
 * set: [slo.ttft_ms=1000]          # --set overrides for every point (optional)
 * axes:
 *   plugins.scheduler.name: [fcfs, sjf, srpt]
 *   trace.transforms.time_scale: [1.0, 0.5, 0.25]
 *   seed: [1, 2, 3]
 * sample: {count: 10, seed: 7}     # a seeded random sample of the grid (optional)
 * constraints: ["seed <= 2"]      # every one must hold for a point to be kept (optional)
 * }
 *
 * @param file        where it was read from (for messages)
 * @param baseFile    the base experiment file, or null when {@code base} is inline or absent
 * @param baseYaml    the base experiment's YAML text ({@code {}} when absent)
 * @param set         overrides applied to every point before its axes
 * @param axes        axis key to its values (JSON text of each value), in file order
 * @param sample      a seeded random sample of the points that pass the constraints
 * @param constraints conditions a point must meet
 */
public record SweepFile(Path file, Path baseFile, String baseYaml, List<String> set, Map<String, List<String>> axes,
                        Optional<Sample> sample, List<Constraint> constraints) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("base", "set", "axes", "sample", "constraints");

    /** @param count points to keep; @param seed the sample's seed */
    public record Sample(int count, long seed) {
        public Sample {
            if (count < 1) throw new IllegalArgumentException("sample.count must be >= 1, was " + count);
        }
    }

    public static SweepFile load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode map)) throw new IllegalArgumentException(file + ": the top level must be a mapping");
        if (!map.has("axes") && !map.has("base") && (map.has("trace") || map.has("plugins") || map.has("name"))) {
            // it said "unknown key 'name'"
            throw new IllegalArgumentException(file + " is an experiment file, not a sweep file (one with base: EXPERIMENT"
                    + " and axes: KEY: [VALUES]); servelab run runs it");
        }
        map.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "'; accepted: axes, base, constraints, sample, set");
            }
        });
        Path baseFile = null;
        String baseYaml = "{}\n";
        var base = map.get("base");
        if (base != null && base.isTextual()) {
            var dir = file.toAbsolutePath().getParent();
            baseFile = dir.resolve(base.asText()).normalize();
            try {
                baseYaml = Files.readString(baseFile);
            } catch (IOException e) {
                // the JDK's message is often the path alone ("/x/nothere.yaml"): say why
                String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                        : Files.isDirectory(baseFile) ? "it is a folder" : e.getMessage();
                throw new IllegalArgumentException(file + ": base: cannot read " + baseFile + ": " + why);
            }
        } else if (base != null && base.isObject()) {
            // its paths are written in this file, so they are relative to this file's folder (as a base file's are)
            var inline = ((ObjectNode) base).deepCopy();
            ExperimentFile.resolveRelativePaths(inline, file.toAbsolutePath().getParent());
            baseYaml = inline.toString(); // JSON is YAML
        } else if (base != null && !base.isNull()) {
            throw new IllegalArgumentException(file + ": base must be a file path or an experiment mapping");
        }
        return new SweepFile(file, baseFile, baseYaml, strings(file, map.get("set"), "set"), axes(file, map.get("axes")),
                sample(file, map.get("sample")), constraints(file, map.get("constraints"), map.get("axes")));
    }

    private static Map<String, List<String>> axes(Path file, JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException(file + ": axes must map at least one experiment key to a list of values");
        }
        var axes = new LinkedHashMap<String, List<String>>();
        node.properties().forEach(e -> {
            var values = e.getValue();
            if (!values.isArray()) {
                throw new IllegalArgumentException(file + ": axis '" + e.getKey() + "' must be a list of values");
            }
            if (values.isEmpty()) throw new IllegalArgumentException(file + ": axis '" + e.getKey() + "' is empty");
            var texts = new ArrayList<String>();
            values.forEach(v -> texts.add(v.toString()));
            if (Set.copyOf(texts).size() != texts.size()) {
                throw new IllegalArgumentException(file + ": axis '" + e.getKey() + "' repeats a value: " + values);
            }
            axes.put(e.getKey(), List.copyOf(texts));
        });
        return axes;
    }

    private static Optional<Sample> sample(Path file, JsonNode node) {
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isObject() || !node.path("count").canConvertToInt()) {
            throw new IllegalArgumentException(file + ": sample must be {count: N, seed: S}");
        }
        try {
            return Optional.of(new Sample(node.get("count").asInt(), node.path("seed").asLong(0)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    private static List<Constraint> constraints(Path file, JsonNode node, JsonNode axes) {
        var list = new ArrayList<Constraint>();
        for (var text : strings(file, node, "constraints")) {
            try {
                var values = new LinkedHashMap<String, List<String>>();
                axes.properties().forEach(e -> {
                    var plain = new ArrayList<String>();
                    e.getValue().forEach(v -> plain.add(v.isTextual() ? v.asText() : v.toString()));
                    values.put(e.getKey(), plain);
                });
                list.add(Constraint.parse(text, values));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage());
            }
        }
        return List.copyOf(list);
    }

    private static List<String> strings(Path file, JsonNode node, String key) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw new IllegalArgumentException(file + ": " + key + " must be a list of strings");
        var list = new ArrayList<String>();
        node.forEach(v -> {
            if (!v.isTextual()) throw new IllegalArgumentException(file + ": " + key + " must be a list of strings, found " + v);
            list.add(v.asText());
        });
        return List.copyOf(list);
    }
}
