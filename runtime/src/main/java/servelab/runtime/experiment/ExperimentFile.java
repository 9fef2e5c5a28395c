package servelab.runtime.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import servelab.runtime.exec.cost.CostModels;

/** Reads an experiment file and applies {@code --set key=value} overrides; errors name the file and the key. */
public final class ExperimentFile {
    private static final ObjectMapper YAML = strict(new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT));

    /** A quoted "128" for a number, or 1.5 for a whole number, is refused instead of silently converted. */
    private static ObjectMapper strict(ObjectMapper mapper) {
        for (var type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    private ExperimentFile() {}

    /**
     * @param file      the YAML file, or null for an empty experiment (all defaults)
     * @param overrides {@code dotted.key=value}; values are read as YAML scalars (numbers, booleans, strings)
     */
    public static Experiment load(Path file, List<String> overrides) {
        return load(file, overrides, null, section -> {});
    }

    /**
     * As {@link #load(Path, List)}, but the top-level key {@code section} (after overrides) belongs to the caller: it
     * is taken out and handed to {@code reader} (a missing node when absent), e.g. {@code serve} for
     * {@code servelab serve}.
     */
    public static Experiment load(Path file, List<String> overrides, String section,
                                  java.util.function.Consumer<JsonNode> reader) {
        try {
            return loadWhole(file, overrides, section, reader);
        } catch (IllegalArgumentException e) {
            throw blameOverride(e, file, overrides);
        }
    }

    /**
     * {@code e} said as the override ({@code KEY=VALUE}: a --set, a flag such as --executor, or a sweep's axis value)
     * that alone gives the same error, where one does: an error such a value caused was blamed on the file
     * ({@code exp.yaml: unknown key 'tracee'}).
     */
    private static IllegalArgumentException blameOverride(IllegalArgumentException e, Path file, List<String> overrides) {
        String where = file == null ? "experiment" : file.toString();
        String message = String.valueOf(e.getMessage());
        if (overrides.isEmpty() || !message.startsWith(where + ": ")) return e;
        String problem = message.substring(where.length() + 2);
        for (var override : overrides) {
            try {
                loadWhole(null, List.of(override), null, section -> {});
            } catch (IllegalArgumentException alone) {
                if (String.valueOf(alone.getMessage()).equals("experiment: " + problem)) {
                    return new IllegalArgumentException(override + ": " + problem, e);
                }
            }
        }
        return e;
    }

    private static Experiment loadWhole(Path file, List<String> overrides, String section,
                                        java.util.function.Consumer<JsonNode> reader) {
        String where = file == null ? "experiment" : file.toString();
        ObjectNode root;
        try {
            JsonNode tree = file == null ? YAML.createObjectNode() : readOneDocument(file, where);
            if (tree == null || tree.isMissingNode() || tree.isNull()) tree = YAML.createObjectNode();
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalArgumentException(where + ": the top level must be a mapping of keys to values");
            }
            root = object;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + ": no such file");
        } catch (JsonProcessingException e) {
            var special = java.util.regex.Pattern.compile("Malformed numeric value '([-+]?\\.(?i:nan|inf))'")
                    .matcher(String.valueOf(e.getOriginalMessage()));
            if (special.find()) { // valid YAML, but no value ServeLab takes; "not valid YAML" misled
                throw new IllegalArgumentException(where + ": " + special.group(1) + location(e) + " is not a finite "
                        + "number: NaN and infinities are not taken; write a number");
            }
            throw new IllegalArgumentException(where + ": not valid YAML: " + e.getOriginalMessage()
                    + location(e));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot read: " + e.getMessage());
        }
        if (file != null) {
            resolveRelativePaths(root, file.toAbsolutePath().getParent());
        }
        for (var override : overrides) {
            var key = set(root, override);
            // a --set value is typed on the command line, so it is relative to the caller's folder, not the file's
            if (PATH_KEYS.contains(key)) resolvePaths(root, List.of(key), CallerDir::resolve);
        }
        requireUnquotedParams(where, root);
        requirePositiveTimeScale(where, root);
        if (section != null) {
            var taken = root.remove(section);
            reader.accept(taken == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : taken);
        }
        return convert(root, Experiment.class, "", where);
    }

    /**
     * The file's one YAML document. Refused: bytes that are not UTF-8 (named by line and column), a second document
     * after {@code ---} (it was dropped silently), and a key written twice in one mapping (the last one won).
     */
    private static JsonNode readOneDocument(Path file, String where) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        var in = java.nio.ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position(), line = 1, column = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') { line++; column = 1; } else if ((bytes[i] & 0xC0) != 0x80) column++;
            }
            throw new IllegalArgumentException(where + ": not UTF-8 text: byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + " at line " + line + ", column " + column
                    + " (save the file as UTF-8)");
        }
        out.flip();
        refuseAliases(out.toString(), where);
        try (var parser = YAML.getFactory().createParser(out.toString())) {
            parser.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonNode tree = YAML.readTree(parser);
            if (parser.nextToken() != null) {
                var loc = parser.currentLocation();
                throw new IllegalArgumentException(where + ": holds more than one YAML document (a second one starts "
                        + "near line " + loc.getLineNr() + "); an experiment file is one document");
            }
            return tree;
        }
    }

    /**
     * Refuses YAML anchors and aliases ({@code &name}, {@code *name}): the reader took an alias for the text of its
     * name ({@code trace.synthetic must be a mapping ..., was 'd'}), which pointed nowhere near the cause.
     */
    private static void refuseAliases(String text, String where) throws IOException {
        try (var scan = (com.fasterxml.jackson.dataformat.yaml.YAMLParser) YAML.getFactory().createParser(text)) {
            for (var token = scan.nextToken(); token != null; token = scan.nextToken()) {
                if (scan.isCurrentAlias() || scan.getObjectId() != null) {
                    var at = scan.currentTokenLocation();
                    throw new IllegalArgumentException(where + ": line " + at.getLineNr() + ", column "
                            + at.getColumnNr() + ": YAML anchors and aliases (&name, *name) are not read; write the "
                            + "values out (or use --set, or a sweep's base for shared settings)");
                }
            }
        }
    }

    /**
     * A section of an experiment file that belongs to a command ({@code serve}), read as strictly as the experiment
     * (no quoted numbers, unknown keys refused) and with errors in the file's words, keys named from {@code section}.
     */
    public static <T> T readSection(JsonNode node, Class<T> type, String section, String where) {
        return convert(node, type, section + ".", where);
    }

    private static <T> T convert(JsonNode node, Class<T> type, String prefix, String where) {
        try {
            return YAML.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(where + ": unknown key '" + prefix + path(e) + "'; accepted there: "
                    + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()));
        } catch (ValueInstantiationException e) {
            var cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException(where + ": " + cause.getMessage());
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(where + ": " + mismatch(e, prefix));
        } catch (JsonProcessingException e) {
            var range = java.util.regex.Pattern.compile("Numeric value \\((.+)\\) out of range of (int|long) \\((\\S+) - (\\S+)\\)")
                    .matcher(String.valueOf(e.getOriginalMessage()));
            if (range.find()) { // Jackson's own words, past a whole number's range
                throw new IllegalArgumentException(where + ": " + prefix + pathOf(e) + " must be a whole number from "
                        + range.group(3) + " to " + range.group(4) + ", was " + range.group(1));
            }
            throw new IllegalArgumentException(where + ": " + e.getOriginalMessage() + " (at '" + prefix + pathOf(e) + "')");
        }
    }

    /** Jackson's "Cannot deserialize value of type `int` from String" in the file's words: the key and what it takes. */
    private static String mismatch(MismatchedInputException e, String prefix) {
        var key = prefix + pathOf(e);
        var wanted = describe(e.getTargetType());
        var value = e instanceof InvalidFormatException f ? f.getValue() : tokenText(e);
        var given = value == null ? null : value instanceof String text && !(e instanceof InvalidFormatException)
                ? text + (looksTyped(text.replaceAll("^'|'$", "")) && text.startsWith("'")
                        && e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p
                        && p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING
                        ? " (text: write numbers and booleans without quotes)" : "")
                : value instanceof String text ? "the text '" + text + "' (write numbers and booleans without quotes)"
                : value.toString();
        String hint = key.matches("plugins\\.[a-z-]+") && value instanceof String
                ? " (" + key + ".name=" + String.valueOf(value).replace("'", "") + " names its plugin)" : "";
        return (key.isEmpty() || key.equals(prefix) ? "the experiment" : key) + " must be " + wanted
                + (given == null ? "" : ", was " + given) + hint;
    }

    /** The offending value as the parser saw it (a scalar's text, or [ or { for a list or mapping). */
    private static Object tokenText(MismatchedInputException e) {
        try {
            return e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p && p.currentToken() != null
                    ? (p.currentToken().isScalarValue() ? "'" + p.getText() + "'" : p.currentToken().isStructStart()
                            ? "a " + (p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY ? "list" : "mapping")
                            : null) : null;
        } catch (IOException ignored) {
            return null;
        }
    }

    private static String describe(Class<?> type) {
        if (type == null) return "another kind of value";
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "a whole number";
        if (type == double.class || type == Double.class || type == float.class) return "a number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "text";
        if (List.class.isAssignableFrom(type)) return "a list";
        return "a mapping of keys to values";
    }

    /**
     * Plugin parameters are typed by the plugin, so Jackson cannot catch {@code max_num_seqs: "128"}; a quoted number
     * or boolean there is almost always a slip, and the plugin would quietly read it as a number.
     */
    private static void requireUnquotedParams(String where, ObjectNode root) {
        requireUnquotedParams(where, "plugins.", root.get("plugins"));
        // a replica group's plugins too: "8" there ran as 8
        if (root.path("cluster").get("groups") instanceof com.fasterxml.jackson.databind.node.ArrayNode groups) {
            for (int g = 0; g < groups.size(); g++) {
                requireUnquotedParams(where, "cluster.groups[" + g + "].plugins.", groups.get(g).get("plugins"));
            }
        }
    }

    private static void requireUnquotedParams(String where, String prefix, com.fasterxml.jackson.databind.JsonNode node) {
        if (!(node instanceof ObjectNode plugins)) return;
        for (var kind : plugins.properties()) {
            if (!(kind.getValue().get("params") instanceof ObjectNode params)) continue;
            for (var param : params.properties()) {
                if (param.getValue() instanceof TextNode text && looksTyped(text.textValue())) {
                    throw new IllegalArgumentException(where + ": " + prefix + kind.getKey() + ".params." + param.getKey()
                            + " is the text '" + text.textValue() + "'; write numbers and booleans without quotes");
                }
            }
        }
    }

    /**
     * {@code time_scale: 0} was taken as "no scaling" (0 is the record's "absent"), with no warning; multiplying every
     * arrival time by 0 has no meaning, so a written 0 is refused. (Checked on the tree, where written and absent differ,
     * so that the experiment's canonical form, and with it every sweep point's id, stays as it was.)
     */
    private static void requirePositiveTimeScale(String where, ObjectNode root) {
        var scale = root.path("trace").path("transforms").get("time_scale");
        if (scale != null && scale.isNumber() && !(scale.asDouble() > 0)) {
            throw new IllegalArgumentException(where + ": trace.transforms.time_scale must be > 0 (0.5: twice the rate), "
                    + "was " + scale.asText());
        }
    }

    private static boolean looksTyped(String text) {
        var t = text.strip();
        return t.matches("[-+]?(\\d[\\d_]*)(\\.\\d*)?([eE][-+]?\\d+)?") || t.equals("true") || t.equals("false");
    }

    /**
     * Keys whose values are file paths. Relative ones resolve against the experiment file's folder, so an experiment
     * and its trace can move together; {@code profile} only when it is not a bundled profile's name.
     */
    static final List<String> PATH_KEYS = List.of("trace.file", "model.path", "model.draft_path", "profile", "output");

    /**
     * Resolves the relative paths of an experiment mapping written inside another file (a sweep's inline
     * {@code base}) against that file's folder, as {@link #load} does for an experiment file's own paths.
     */
    public static void resolveRelativePaths(ObjectNode root, Path folder) {
        resolvePaths(root, PATH_KEYS, relative -> folder.resolve(relative).normalize().toString());
    }

    private static void resolvePaths(ObjectNode root, List<String> keys, UnaryOperator<String> resolve) {
        for (var key : keys) {
            var dot = key.lastIndexOf('.');
            var parent = dot < 0 ? root : root.get(key.substring(0, dot));
            var leaf = key.substring(dot + 1);
            if (!(parent instanceof ObjectNode object) || !(object.get(leaf) instanceof TextNode text)) continue;
            var value = text.textValue();
            if (value.isBlank() || isAbsolute(value)) continue;
            if (key.equals("profile") && CostModels.available().contains(value)) continue;
            var resolved = resolve.apply(value);
            // a profile name misspelt (llama-3-8b/h100) is no file either: said as typed, not as a path made of it
            if (key.equals("profile") && !value.matches(".*\\.ya?ml") && !Files.exists(Path.of(resolved))) continue;
            object.put(leaf, resolved);
        }
        // a replica group's own profile file, as the experiment's (it resolved against the checkout)
        if (root.get("cluster") instanceof ObjectNode cluster
                && cluster.get("groups") instanceof com.fasterxml.jackson.databind.node.ArrayNode groups) {
            for (var group : groups) {
                if (group instanceof ObjectNode g) resolvePaths(g, List.of("profile"), resolve);
            }
        }
    }

    private static boolean isAbsolute(String value) {
        try {
            return Path.of(value).isAbsolute();
        } catch (InvalidPathException e) {
            return true; // not a path: left for the reader to refuse with its own message
        }
    }

    /** Sets {@code a.b.c=value} in the tree, creating mappings on the way; returns the dotted key. */
    static String set(ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--set " + override + ": expected key=value");
        var keys = override.substring(0, eq).split("\\.");
        var node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            var child = node.get(keys[i]);
            if (!(child instanceof ObjectNode)) child = node.putObject(keys[i]);
            node = (ObjectNode) child;
        }
        var text = override.substring(eq + 1);
        if (text.isBlank()) { // read as YAML's null: "must be a mapping of keys to values", whatever the key was
            throw new IllegalArgumentException("--set " + override + ": no value; leave the --set out for the default (write '' for empty text)");
        }
        try {
            var value = YAML.readTree(text);
            // a plain value with a line break inside it: YAML folds the break into a space, so a file named with a
            // carriage return was looked for under another name (and a message showed a space where the \r was).
            // Taken as typed only where folding is all YAML did (not a comment, a block scalar, a tag, a break at the end)
            var typed = text.strip();
            if (value.isTextual() && typed.matches("(?s).*[\r\n].*")
                    && value.textValue().equals(typed.replaceAll("[ \t]*(\r\n|\r|\n)[ \t]*", " "))) {
                value = TextNode.valueOf(typed);
            }
            node.set(keys[keys.length - 1], value);
        } catch (JsonProcessingException e) {
            if (text.strip().matches("[-+]?\\.(?i:nan|inf)")) { // as a file's: valid YAML, but no value taken
                throw new IllegalArgumentException("--set " + override + ": " + text.strip() + " is not a finite number: "
                        + "NaN and infinities are not taken; write a number");
            }
            throw new IllegalArgumentException("--set " + override + ": value is not valid YAML");
        }
        return override.substring(0, eq);
    }

    private static String path(UnrecognizedPropertyException e) {
        return pathOf(e);
    }

    private static String pathOf(JsonProcessingException e) {
        if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException m)) return "";
        var sb = new StringBuilder();
        for (var ref : m.getPath()) {
            if (ref.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            else if (ref.getIndex() >= 0) sb.append('[').append(ref.getIndex()).append(']');
        }
        return sb.toString();
    }

    private static String location(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
