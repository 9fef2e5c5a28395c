package servelab.runtime.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import servelab.api.PluginKind;

import servelab.runtime.record.Slo;

/**
 * What {@code run.json} says about a run, read leniently: a key that is missing or of an unexpected shape gives an
 * empty value, never an error, so imported and older runs still get a report.
 */
public final class RunInfo {

    private RunInfo() {
    }

    /**
     * The plugin of each kind as {@code name@version}, followed by its non-default parameters in parentheses, e.g.
     * {@code continuous@1.0.0 (chunked_prefill=false)}; kinds in the order of {@link PluginKind} (the engine's
     * data flow), unknown kinds after them. Imported runs have none.
     */
    public static Map<String, String> plugins(RunResults run) {
        var out = new LinkedHashMap<String, String>();
        var params = pluginParams(run);
        pluginIds(run).forEach((kind, id) -> out.put(kind, id + params(params.get(kind))));
        return out;
    }

    /** The plugin of each kind as {@code name@version}, in {@link #plugins}' order. */
    public static Map<String, String> pluginIds(RunResults run) {
        return pluginIds(run.runInfo());
    }

    /**
     * Whether the run's prefix cache is {@code none} (or it names none: imported runs): every lookup then misses by
     * construction, so a hit ratio is n/a, not 0.
     */
    public static boolean noPrefixCache(Map<String, Object> runInfo) {
        return pluginIds(runInfo).getOrDefault("prefix-cache", "none").startsWith("none");
    }

    /**
     * Prefix-cache hit tokens over looked-up tokens: NaN when nothing was looked up, or when no cache took part (the
     * run's prefix cache is {@code none} and nothing hit; a replica group's own cache that hit gives the ratio).
     */
    public static double prefixHitRatio(Map<String, Object> runInfo, double hits, double queries) {
        if (!(queries > 0) || hits == 0 && noPrefixCache(runInfo)) return Double.NaN;
        return hits / queries;
    }

    private static Map<String, String> pluginIds(Map<String, Object> runInfo) {
        var found = new TreeMap<String, String>();
        if (runInfo.get("plugins") instanceof Map<?, ?> plugins) {
            for (var e : plugins.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> spec)) continue;
                found.put(String.valueOf(e.getKey()), spec.get("plugin") != null ? String.valueOf(spec.get("plugin"))
                        : spec.get("name") + (spec.get("version") != null ? "@" + spec.get("version") : ""));
            }
        }
        var out = new LinkedHashMap<String, String>();
        for (var kind : PluginKind.values()) {
            var plugin = found.remove(kind.id());
            if (plugin != null) out.put(kind.id(), plugin);
        }
        out.putAll(found);
        return out;
    }

    /** The parameters of each kind's plugin as run.json gives them (all of them, defaults included, since ed7a61c). */
    public static Map<String, Map<String, Object>> pluginParams(RunResults run) {
        var out = new LinkedHashMap<String, Map<String, Object>>();
        if (!(run.runInfo().get("plugins") instanceof Map<?, ?> plugins)) return out;
        for (var e : plugins.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> spec) || !(spec.get("params") instanceof Map<?, ?> params)) continue;
            var values = new LinkedHashMap<String, Object>();
            params.forEach((k, v) -> values.put(String.valueOf(k), v));
            out.put(String.valueOf(e.getKey()), values);
        }
        return out;
    }

    /** {@code " (k=v, ...)"}, or "" for none. */
    public static String paramsText(Map<String, Object> params) {
        return params(params);
    }

    /**
     * What each slot was swapped to while the run went on (run.json's {@code plugin_history}), by kind, in time
     * order, with parameters when given: of the replicas' swaps of a kind, the longest chain (one {@code ctl switch}
     * is a swap on every replica, and the history lists each replica's in turn: two switches at once read sjf, ljf,
     * sjf, ljf; a replica down at a switch took fewer).
     */
    public static Map<String, List<String>> swaps(RunResults run) {
        var chains = new LinkedHashMap<String, Map<Object, List<String>>>(); // kind -> replica (null: the cluster's)
        if (!(run.runInfo().get("plugin_history") instanceof List<?> history)) return new LinkedHashMap<>();
        for (var entry : history) {
            if (!(entry instanceof Map<?, ?> e) || !"swap".equals(e.get("event"))) continue;
            var to = e.get("to") + params(e.get("params"));
            var list = chains.computeIfAbsent(String.valueOf(e.get("kind")), k -> new LinkedHashMap<>())
                    .computeIfAbsent(String.valueOf(e.get("replica")), r -> new java.util.ArrayList<>());
            if (list.isEmpty() || !list.getLast().equals(to)) list.add(to);
        }
        var out = new LinkedHashMap<String, List<String>>();
        chains.forEach((kind, byReplica) -> out.put(kind, byReplica.values().stream()
                .reduce((a, b) -> b.size() > a.size() ? b : a).orElseThrow()));
        return out;
    }

    /**
     * The objectives the run was recorded with: run.json's {@code slo}, either {@code {ttft_ms: 1000, ...}} or
     * the text {@code ttft=1000,...}; {@link Slo#NONE} when it has none.
     */
    public static Slo slo(RunResults run) {
        return slo(run.runInfo());
    }

    /** The objectives a run.json's {@code slo} holds; {@link Slo#NONE} when it has none. */
    public static Slo slo(Map<String, Object> runJson) {
        return switch (runJson.get("slo")) {
            case Map<?, ?> map -> {
                var text = new StringJoiner(",");
                for (var key : new String[] {"ttft", "tpot", "e2el"}) {
                    if (map.get(key + "_ms") instanceof Number n) text.add(key + "=" + n.doubleValue());
                }
                yield Slo.parse(text.toString());
            }
            case String text -> Slo.parse(text);
            case null, default -> Slo.NONE;
        };
    }

    /** Where an imported run came from ({@code vllm bench serve}, {@code vidur}), or "" for a ServeLab run. */
    public static String source(RunResults run) {
        return run.runInfo().get("source") instanceof String s ? s : "";
    }

    private static String params(Object params) {
        if (!(params instanceof Map<?, ?> map) || map.isEmpty()) return "";
        var text = new StringJoiner(", ", " (", ")");
        map.forEach((k, v) -> text.add(k + "=" + v));
        return text.toString();
    }
}
