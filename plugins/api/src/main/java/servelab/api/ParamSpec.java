package servelab.api;

import java.util.List;
import java.util.Objects;

/**
 * One parameter a plugin accepts: its name (snake_case, as in experiment files), type, default, allowed range or
 * choices, and a one-line doc that {@code servelab plugins} prints.
 *
 * @param name         parameter name, {@code [a-z][a-z0-9_]*}
 * @param type         value type
 * @param defaultValue default, already of {@code type}'s Java class
 * @param min          smallest allowed value for numeric types ({@code -Infinity} when unbounded)
 * @param max          largest allowed value for numeric types ({@code +Infinity} when unbounded)
 * @param choices      allowed values of a string parameter (empty: any string)
 * @param doc          what the parameter does, with its unit
 */
public record ParamSpec(String name, ParamType type, Object defaultValue, double min, double max,
                        List<String> choices, String doc) {

    public ParamSpec {
        Objects.requireNonNull(type, "ParamSpec.type");
        Objects.requireNonNull(doc, "ParamSpec.doc");
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("ParamSpec.name must match [a-z][a-z0-9_]*, was '" + name + "'");
        }
        if (min > max) throw new IllegalArgumentException("ParamSpec " + name + ": min " + min + " > max " + max);
        choices = List.copyOf(choices);
        if (!choices.isEmpty() && type != ParamType.STRING) {
            throw new IllegalArgumentException("ParamSpec " + name + ": choices need type string, was " + type);
        }
        defaultValue = type.coerce(Objects.requireNonNull(defaultValue, "ParamSpec.defaultValue"));
        // a default the parameter refuses when written reached the plugin unchecked (and `servelab plugins` listed it)
        if (defaultValue instanceof Number n && (Double.isNaN(n.doubleValue()) || n.doubleValue() < min
                || n.doubleValue() > max)) {
            throw new IllegalArgumentException("ParamSpec " + name + ": default " + defaultValue + " is outside "
                    + "its own range [" + min + ", " + max + "]");
        }
        if (!choices.isEmpty() && !choices.contains(defaultValue)) {
            throw new IllegalArgumentException("ParamSpec " + name + ": default '" + defaultValue + "' is not one of "
                    + "its choices " + choices);
        }
    }

    /** An int parameter within [{@code min}, {@code max}]. */
    public static ParamSpec ofInt(String name, int defaultValue, int min, int max, String doc) {
        return new ParamSpec(name, ParamType.INT, defaultValue, min, max, List.of(), doc);
    }

    /** A long parameter within [{@code min}, {@code max}]. */
    public static ParamSpec ofLong(String name, long defaultValue, long min, long max, String doc) {
        return new ParamSpec(name, ParamType.LONG, defaultValue, min, max, List.of(), doc);
    }

    /** A double parameter within [{@code min}, {@code max}]. */
    public static ParamSpec ofDouble(String name, double defaultValue, double min, double max, String doc) {
        return new ParamSpec(name, ParamType.DOUBLE, defaultValue, min, max, List.of(), doc);
    }

    /** A boolean parameter. */
    public static ParamSpec ofBoolean(String name, boolean defaultValue, String doc) {
        return new ParamSpec(name, ParamType.BOOLEAN, defaultValue, Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY, List.of(), doc);
    }

    /** A string parameter restricted to {@code choices} (any string when none are given). */
    public static ParamSpec ofChoice(String name, String defaultValue, List<String> choices, String doc) {
        return new ParamSpec(name, ParamType.STRING, defaultValue, Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY, choices, doc);
    }

    /**
     * Converts and checks a raw value.
     *
     * @throws IllegalArgumentException with a message that names the parameter, the value and what is allowed
     */
    public Object accept(Object raw) {
        Object value;
        try {
            value = type.coerce(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("parameter '" + name + "' must be " + article() + " " + type
                    + ", was '" + raw + "'");
        }
        if (value instanceof Double d && d.isNaN()) { // no range check says no to NaN: every comparison is false
            throw new IllegalArgumentException("parameter '" + name + "' must be a number, was NaN");
        }
        if (value instanceof Number n && (n.doubleValue() < min || n.doubleValue() > max)) {
            throw new IllegalArgumentException("parameter '" + name + "' must be in " + range() + ", was " + value);
        }
        if (!choices.isEmpty() && !choices.contains(value)) {
            throw new IllegalArgumentException("parameter '" + name + "' must be one of " + choices + ", was '"
                    + value + "'");
        }
        return value;
    }

    /** A one-line description: {@code name (type, default X, range): doc}. */
    public String describe() {
        var bounds = choices.isEmpty() ? (hasRange() ? ", " + range() : "") : ", one of " + choices;
        return name + " (" + type + ", default " + defaultValue + bounds + "): " + doc;
    }

    private boolean hasRange() {
        return min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY;
    }

    private String range() {
        return "[" + bound(min) + ", " + bound(max) + "]";
    }

    private String bound(double v) {
        if (Double.isInfinite(v)) return v < 0 ? "-inf" : "inf";
        return type == ParamType.DOUBLE ? Double.toString(v) : Long.toString((long) v);
    }

    private String article() {
        return type == ParamType.INT ? "an" : "a";
    }
}
