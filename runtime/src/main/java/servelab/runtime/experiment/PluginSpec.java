package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

/** A plugin and its raw parameters; a missing name means the kind's default plugin. */
public record PluginSpec(String name, Map<String, Object> params) {
    public PluginSpec {
        if (name != null && name.isBlank()) throw new IllegalArgumentException("plugin name is blank");
        params = params == null ? Map.of() : new LinkedHashMap<>(params);
    }
}
