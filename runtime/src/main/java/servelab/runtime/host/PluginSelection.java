package servelab.runtime.host;

import java.util.Map;
import java.util.Objects;

import servelab.api.PluginKind;

/**
 * Which plugin a run wants in a slot, and with which parameters (raw values, validated against the plugin's
 * descriptor when it is created).
 *
 * @param paramsKey where the user wrote the parameters ({@code plugins.batcher.params}), so that a refused one is
 *                  named as written ({@code plugins.batcher.params.max_num_seqs}); null where they were not written
 *                  under a key ({@code ctl switch ... k=v}), and the message names the parameter alone
 */
public record PluginSelection(PluginKind kind, String name, Map<String, Object> params, String paramsKey) {
    public PluginSelection {
        Objects.requireNonNull(kind, "PluginSelection.kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("no plugin name given for " + kind.id());
        }
        for (var e : params.entrySet()) { // Map.copyOf threw a bare NullPointerException for `key: null`
            if (e.getValue() == null) {
                throw new IllegalArgumentException((paramsKey == null ? "parameter '" + e.getKey() + "'"
                        : paramsKey + "." + e.getKey()) + " is null: leave the key out for its default");
            }
        }
        params = Map.copyOf(params);
    }

    /** Parameters not written under an experiment key. */
    public PluginSelection(PluginKind kind, String name, Map<String, Object> params) {
        this(kind, name, params, null);
    }

    private static final java.util.regex.Pattern PARAMETER = java.util.regex.Pattern.compile("parameter '([a-z][a-z0-9_]*)'");

    /**
     * {@code message} (the SPI's, which names a parameter as {@code parameter 'NAME'}) with the parameter named as the
     * user wrote it: {@code paramsKey.NAME}; as it is without a key.
     */
    String keyed(String message) {
        var m = PARAMETER.matcher(message);
        if (paramsKey == null || !m.find()) return message;
        return message.substring(0, m.start()) + paramsKey + "." + m.group(1) + message.substring(m.end());
    }

    public static PluginSelection of(PluginKind kind, String name) {
        return new PluginSelection(kind, name, Map.of());
    }
}
