package servelab.runtime.host;

import java.util.Map;
import java.util.Objects;

import servelab.api.PluginKind;

/**
 * Which plugin a run wants in a slot, and with which parameters (raw values, validated against the plugin's
 * descriptor when it is created).
 */
public record PluginSelection(PluginKind kind, String name, Map<String, Object> params) {
    public PluginSelection {
        Objects.requireNonNull(kind, "PluginSelection.kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("no plugin name given for " + kind.id());
        }
        params = Map.copyOf(params);
    }

    public static PluginSelection of(PluginKind kind, String name) {
        return new PluginSelection(kind, name, Map.of());
    }
}
