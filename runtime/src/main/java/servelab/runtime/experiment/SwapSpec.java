package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

import servelab.api.PluginKind;
import servelab.runtime.host.PluginSelection;

/**
 * A plugin switch the experiment schedules: at {@code at_ms} of the run clock (simulated time in a simulated run) the
 * slot of {@code kind} switches to {@code name} with {@code params}, as {@code servelab ctl switch KIND NAME key=value}
 * would switch it (the same checks, the same records: a {@code swap} row of events.arrow and an entry of run.json's
 * {@code plugin_history} when each replica takes it, at its next step), but at the same point of every run of the
 * experiment, so a run with swaps is as reproducible as one without.
 *
 * @param atMs   when, in ms of the run clock, >= 0
 * @param kind   the plugin kind ({@code scheduler}, {@code batcher}, {@code router}, ...)
 * @param name   the plugin's name, or {@code NAME@VERSION}
 * @param params its parameters; the others take their defaults (as a ctl switch: a switch resets what it leaves out)
 */
public record SwapSpec(Double atMs, String kind, String name, Map<String, Object> params) {
    public SwapSpec {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Refuses what cannot be switched, naming {@code key} ({@code swaps[i]}) as the experiment wrote it. */
    void check(String key) {
        if (atMs == null) throw new IllegalArgumentException(key + ".at_ms is missing: when to switch, in ms of the run clock");
        if (!(atMs >= 0 && atMs <= 1e12)) { // as a fault's times: past that, a switch that never comes
            throw new IllegalArgumentException(key + ".at_ms must be in [0, 1e12] ms, was " + atMs);
        }
        if (kind == null) throw new IllegalArgumentException(key + ".kind is missing: the plugin kind to switch");
        try {
            PluginKind.fromId(kind); // names the kinds there are
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".kind: " + e.getMessage(), e);
        }
        if (name == null || name.isBlank()) throw new IllegalArgumentException(key + ".name is missing: the plugin to switch to");
    }

    /** What the switch asks for; {@code key} (e.g. {@code swaps[0]}) names its parameters in errors. */
    PluginSelection selection(String key) {
        return new PluginSelection(PluginKind.fromId(kind), name, params, key + ".params");
    }

    long atNanos() {
        return Math.round(atMs * 1e6);
    }
}
