package servelab.runtime.exec.cost;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * One mapping of a profile YAML file with a fixed set of accepted fields. Every error names the file, the dotted
 * field path and, for missing or unknown fields, the fields this mapping accepts.
 */
final class YamlSection {
    private final String source;
    private final String path;
    private final JsonNode node;
    private final List<String> accepted;

    /** Checks that {@code node} is a mapping whose keys are all in {@code accepted}. */
    YamlSection(String source, String path, JsonNode node, List<String> accepted) {
        this.source = source;
        this.path = path;
        this.node = node;
        this.accepted = accepted;
        if (node == null || !node.isObject()) {
            throw error(path.isEmpty() ? "(top level)" : path, "must be a mapping of " + acceptedList() + ", was "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        for (var entry : node.properties()) {
            var name = entry.getKey();
            if (!accepted.contains(name)) throw error(fieldPath(name), "is not a known field; " + acceptedList());
        }
    }

    YamlSection section(String name, List<String> fields) {
        return new YamlSection(source, fieldPath(name), required(name), fields);
    }

    Optional<YamlSection> optionalSection(String name, List<String> fields) {
        return has(name) ? Optional.of(section(name, fields)) : Optional.empty();
    }

    boolean has(String name) {
        return node.hasNonNull(name);
    }

    String text(String name) {
        var v = required(name);
        if (!v.isValueNode() || v.isNull()) throw error(fieldPath(name), "must be text, was " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        return v.asText();
    }

    Optional<String> optionalText(String name) {
        return has(name) ? Optional.of(text(name)) : Optional.empty();
    }

    boolean flag(String name) {
        var v = required(name);
        if (v.isBoolean()) return v.booleanValue();
        throw error(fieldPath(name), "must be true or false, was '" + v.asText() + "'");
    }

    /** A number; YAML text such as {@code 3.35e12} or {@code 85_028_995_072} is accepted too. */
    double number(String name) {
        var v = required(name);
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().replace("_", "").trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw error(fieldPath(name), "must be a number, was '" + v.asText() + "'");
    }

    double number(String name, double absent) {
        return has(name) ? number(name) : absent;
    }

    long integer(String name) {
        double d = number(name);
        var v = node.get(name);
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
        if (d == Math.rint(d) && Math.abs(d) < 0x1p53) return (long) d; // 8.0e9 written in exponent form
        throw error(fieldPath(name), "must be a whole number, was " + v.asText());
    }

    int smallInteger(String name) {
        long l = integer(name);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw error(fieldPath(name), "must fit in an int, was " + l);
        return (int) l;
    }

    String fieldPath(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    CostProfileException error(String field, String problem) {
        return new CostProfileException(source, field, problem);
    }

    private JsonNode required(String name) {
        var v = node.get(name);
        if (v == null || v.isNull()) throw error(fieldPath(name), "is missing; " + acceptedList());
        return v;
    }

    private String acceptedList() {
        return (path.isEmpty() ? "the top level" : path) + " accepts: " + String.join(", ", accepted);
    }
}
