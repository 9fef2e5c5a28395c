package servelab.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A plugin's validated parameter values: every declared parameter has a value (given or default) of its declared
 * type, and no undeclared name is present. Built only by {@link #validate}; immutable.
 */
public final class Params {
    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Checks {@code raw} against {@code specs} and fills in defaults.
     *
     * @param owner what the parameters belong to, for messages (for example {@code batcher 'continuous'})
     * @throws PluginParameterException naming the unknown or ill-typed parameter and listing the accepted ones
     */
    public static Params validate(String owner, List<ParamSpec> specs, Map<String, ?> raw) {
        var byName = new LinkedHashMap<String, ParamSpec>();
        for (var spec : specs) byName.put(spec.name(), spec);
        for (var name : raw.keySet()) {
            if (!byName.containsKey(name)) {
                throw new PluginParameterException("unknown parameter '" + name + "' for " + owner + "; accepted: "
                        + accepted(specs));
            }
        }
        var values = new LinkedHashMap<String, Object>();
        for (var spec : specs) {
            Object given = raw.get(spec.name());
            try {
                values.put(spec.name(), given == null ? spec.defaultValue() : spec.accept(given));
            } catch (IllegalArgumentException e) {
                throw new PluginParameterException(e.getMessage() + " (" + owner + "; accepted: "
                        + accepted(specs) + ")");
            }
        }
        return new Params(values);
    }

    /** Defaults only: what {@code validate(owner, specs, Map.of())} gives. */
    public static Params defaults(List<ParamSpec> specs) {
        return validate("defaults", specs, Map.of());
    }

    private static String accepted(List<ParamSpec> specs) {
        if (specs.isEmpty()) return "none";
        return specs.stream().map(s -> s.name() + " (" + s.type() + ")").collect(Collectors.joining(", "));
    }

    public int getInt(String name) {
        return (Integer) get(name, Integer.class);
    }

    public long getLong(String name) {
        return (Long) get(name, Long.class);
    }

    public double getDouble(String name) {
        return (Double) get(name, Double.class);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name, Boolean.class);
    }

    public String getString(String name) {
        return (String) get(name, String.class);
    }

    /** All values in declaration order, for run metadata. */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object get(String name, Class<?> type) {
        Object v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no parameter '" + name + "'; declared: " + values.keySet());
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("parameter '" + name + "' is a " + v.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
