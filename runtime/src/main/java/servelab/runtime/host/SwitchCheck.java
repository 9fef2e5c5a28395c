package servelab.runtime.host;

import java.util.Map;

import servelab.api.PluginKind;

/**
 * A run's own check of a plugin a {@code ctl switch} asks for, beyond the plugin's parameter ranges: what only the
 * run can see (degrade's {@code group} must be one of the cluster's replica groups; the plugin sees only the replicas
 * available to it). Throws {@link IllegalArgumentException} to refuse the switch; the slots then keep their plugins.
 */
@FunctionalInterface
public interface SwitchCheck {
    /** Checks plugin {@code name} of {@code kind} with {@code params} (its defaults filled in). */
    void check(PluginKind kind, String name, Map<String, Object> params);

    /** Checks nothing. */
    SwitchCheck NONE = (kind, name, params) -> { };
}
