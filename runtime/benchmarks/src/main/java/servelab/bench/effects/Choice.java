package servelab.bench.effects;

import java.util.Map;
import java.util.TreeMap;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.runtime.engine.PolicySlot;

/**
 * A policy as an experiment file names it: a plugin and its parameters.
 *
 * @param factory the plugin
 * @param params  parameters, validated against the plugin's descriptor when installed
 */
record Choice<T>(PluginFactory<T> factory, Map<String, Object> params) {
    Choice {
        params = Map.copyOf(params);
    }

    static <T> Choice<T> of(PluginFactory<T> factory) {
        return new Choice<>(factory, Map.of());
    }

    static <T> Choice<T> of(PluginFactory<T> factory, Map<String, Object> params) {
        return new Choice<>(factory, params);
    }

    /** {@code name} or {@code name(key=value, ...)}, parameters sorted. */
    String label() {
        String name = factory.descriptor().name();
        return params.isEmpty() ? name : name + new TreeMap<>(params).toString().replace('{', '(').replace('}', ')');
    }

    PolicySlot.Installed<T> install() {
        var d = factory.descriptor();
        var p = Params.validate(d.label(), d.params(), params);
        return new PolicySlot.Installed<>(factory.create(p), d, p.asMap(), "effects");
    }
}
