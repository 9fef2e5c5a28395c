package servelab.runtime.exec.cost;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import servelab.runtime.exec.cost.CostProfile.Dtype;

/**
 * Reads a profile YAML file into a {@link CostProfile}. The format is documented in
 * {@code servelab/profiles/README.md}; field names here and there must agree.
 *
 * <p>A file may name a {@code base:} profile (bundled name or path relative to itself) and override any of its
 * fields section by section; a calibration run writes such a file: {@code base: tiny/cpu} plus a {@code measured:}
 * section. A table's {@code csv:} path resolves against the file that names it.
 */
final class ProfileReader {
    static final List<String> TOP = List.of("base", "derivation", "model", "hardware", "efficiency", "serving", "measured");
    static final List<String> MODEL = List.of("name", "layers", "hidden_size", "attention_heads", "kv_heads", "head_dim",
            "intermediate_size", "vocab_size", "tied_embeddings", "parameters", "weight_dtype");
    static final List<String> HARDWARE = List.of("name", "peak_flops_per_s", "memory_bandwidth_bytes_per_s",
            "device_memory_bytes", "host_link_bytes_per_s", "devices", "interconnect_bytes_per_s");
    static final List<String> EFFICIENCY = List.of("compute", "bandwidth", "host_link", "step_overhead_us",
            "allreduce_latency_us");
    static final List<String> SERVING = List.of("kv_dtype", "memory_utilization", "activation_reserve_bytes_per_device",
            "max_model_len");
    static final List<String> MEASURED = List.of("csv", "max_relative_error", "overhead_per_step_us",
            "overhead_per_seq_us", "overhead_fraction", "token_factors");
    /** Bases may have bases; a chain this deep is a cycle or a mistake. */
    private static final int MAX_BASE_DEPTH = 8;
    /** Where a measured table was found, kept beside the tree because a base's csv resolves against the base. */
    private static final String RESOLVED_CSV = "\u0000resolved_csv";

    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ProfileReader() {
    }

    static CostProfile read(ProfileSource source) {
        var tree = mergedTree(source, 0);
        var name = source.display();
        try {
            var resolvedCsv = tree.remove(RESOLVED_CSV);
            var top = new YamlSection(name, "", tree, TOP);
            var hardware = hardware(top.section("hardware", HARDWARE));
            return new CostProfile(name, top.text("derivation"), model(top.section("model", MODEL)), hardware,
                    efficiency(top.section("efficiency", EFFICIENCY), hardware.devices()),
                    serving(top.section("serving", SERVING)),
                    measured(top.optionalSection("measured", MEASURED), resolvedCsv == null ? null : resolvedCsv.asText()));
        } catch (CostProfileException e) {
            throw e.inSource(name);
        }
    }

    /** The file's tree laid over its base's (section by section, field by field). */
    private static ObjectNode mergedTree(ProfileSource source, int depth) {
        var own = parse(source);
        var top = new YamlSection(source.display(), "", own, TOP);
        if (top.has("measured") && own.get("measured").hasNonNull("csv")) {
            var csv = new YamlSection(source.display(), "measured", own.get("measured"), MEASURED).text("csv");
            own.put(RESOLVED_CSV, locator(source.resolve(csv)));
        }
        var baseName = top.optionalText("base");
        if (baseName.isEmpty()) return own;
        if (depth >= MAX_BASE_DEPTH) {
            throw new CostProfileException(source.display(), "base", "chain is deeper than " + MAX_BASE_DEPTH + " files; is there a cycle?");
        }
        var merged = mergedTree(ProfileCatalog.sourceOf(baseName.get(), Optional.of(source)), depth + 1);
        for (var entry : own.properties()) {
            var mine = entry.getValue();
            var theirs = merged.get(entry.getKey());
            if (mine.isObject() && theirs != null && theirs.isObject()) {
                ((ObjectNode) theirs).setAll((ObjectNode) mine);
            } else {
                merged.set(entry.getKey(), mine);
            }
        }
        merged.remove("base");
        return merged;
    }

    private static ObjectNode parse(ProfileSource source) {
        try (var in = source.open()) {
            var node = YAML.readTree(in);
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw new CostProfileException(source.display(), "(top level)", "is empty; a profile needs " + String.join(", ", TOP.subList(1, 6)));
            }
            if (!node.isObject()) throw new CostProfileException(source.display(), "(top level)", "must be a mapping, was " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
            return (ObjectNode) node;
        } catch (JacksonException e) {
            var at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new CostProfileException(source.display(), "YAML", "cannot be parsed" + at + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CostProfileException(source.display(), "file", "cannot be read: " + e, e);
        }
    }

    private static CostProfile.Model model(YamlSection s) {
        var dtype = Dtype.parse(s.fieldPath("weight_dtype"), s.text("weight_dtype"));
        int layers = s.smallInteger("layers");
        int hidden = s.smallInteger("hidden_size");
        int heads = s.smallInteger("attention_heads");
        int kvHeads = s.smallInteger("kv_heads");
        int headDim = s.smallInteger("head_dim");
        int intermediate = s.smallInteger("intermediate_size");
        int vocab = s.smallInteger("vocab_size");
        boolean tied = s.flag("tied_embeddings");
        var derived = CostProfile.Model.derived(s.text("name"), layers, hidden, heads, kvHeads, headDim, intermediate,
                vocab, tied, dtype);
        if (!s.has("parameters")) return derived;
        return new CostProfile.Model(derived.name(), layers, hidden, heads, kvHeads, headDim, intermediate, vocab, tied,
                s.integer("parameters"), dtype);
    }

    private static CostProfile.Hardware hardware(YamlSection s) {
        int devices = s.smallInteger("devices");
        double interconnect = devices > 1 ? s.number("interconnect_bytes_per_s") : s.number("interconnect_bytes_per_s", 0);
        return new CostProfile.Hardware(s.text("name"), s.number("peak_flops_per_s"),
                s.number("memory_bandwidth_bytes_per_s"), s.integer("device_memory_bytes"),
                s.number("host_link_bytes_per_s"), devices, interconnect);
    }

    private static CostProfile.Efficiency efficiency(YamlSection s, int devices) {
        double latency = devices > 1 ? s.number("allreduce_latency_us") : s.number("allreduce_latency_us", 0);
        return new CostProfile.Efficiency(s.number("compute"), s.number("bandwidth"), s.number("host_link"),
                s.number("step_overhead_us"), latency);
    }

    private static CostProfile.Serving serving(YamlSection s) {
        int maxModelLen = s.has("max_model_len") ? s.smallInteger("max_model_len") : 0;
        if (s.has("max_model_len") && maxModelLen < 1) {
            throw CostProfileException.field(s.fieldPath("max_model_len"), "must be >= 1 (leave it out for no limit), was "
                    + maxModelLen);
        }
        return new CostProfile.Serving(Dtype.parse(s.fieldPath("kv_dtype"), s.text("kv_dtype")),
                s.number("memory_utilization"), s.integer("activation_reserve_bytes_per_device"), maxModelLen);
    }

    private static Optional<CostProfile.Measured> measured(Optional<YamlSection> section, String csvLocator) {
        if (section.isEmpty()) return Optional.empty();
        var s = section.get();
        s.text("csv"); // reports a missing csv field by name
        var csv = fromLocator(csvLocator);
        // absent overhead fields are 0: a table written before they existed prices every step exactly as it did
        var overhead = new StepOverhead(1e3 * s.number("overhead_per_step_us", 0),
                1e3 * s.number("overhead_per_seq_us", 0), s.number("overhead_fraction", 0));
        // token-count factors are on unless a profile says token_factors: false (TableFit)
        boolean tokenFactors = !s.has("token_factors") || s.flag("token_factors");
        return Optional.of(new CostProfile.Measured(csv.display(), MeasuredTableCsv.read(csv), s.number("max_relative_error"),
                overhead, tokenFactors));
    }

    private static String locator(ProfileSource s) {
        return s.resource() != null ? "r:" + s.resource() : "f:" + s.file();
    }

    private static ProfileSource fromLocator(String locator) {
        var rest = locator.substring(2);
        return locator.startsWith("r:") ? ProfileSource.bundled(rest) : ProfileSource.file(Path.of(rest));
    }
}
