package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.runtime.exec.ExecutorSetup;
import servelab.runtime.host.PluginRegistry;
import servelab.runtime.record.Json;

/** run.json's description of an experiment: what ran, on what, with which plugins, faults and recording. */
public final class RunInfo {
    private RunInfo() {}

    /**
     * run.json's content before the run's results (the serving front adds its own keys); {@code kvBlocks} gives replica
     * r's KV blocks (a cluster group's own profile can make them differ from replica to replica; {@code kv.blocks} is
     * replica 0's).
     */
    public static Map<String, Object> of(Experiment exp, ExecutorSetup setup, PluginRegistry registry,
                                         java.util.function.IntUnaryOperator kvBlocks) {
        var info = new LinkedHashMap<String, Object>();
        info.put("servelab_version", version());
        info.put("name", exp.name());
        info.put("seed", exp.seed());
        setup.describe(info);
        info.put("replicas", exp.replicas());
        info.put("cluster", ClusterLayout.describe(exp, registry, kvBlocks));
        if (exp.autoscaling() != null) {
            var a = exp.autoscaling();
            info.put("autoscaling", Json.ordered("min", a.min(), "max", a.max(), "initial", a.initial(),
                    "interval_ms", a.intervalMs(), "warmup_ms", a.warmupMs()));
        }
        info.put("gateway", exp.gateway().describe());
        info.put("prompts", Json.ordered("kind", exp.prompts().kind(), "period", exp.prompts().period()));
        var kv = new LinkedHashMap<String, Object>();
        kv.put("block_size", exp.kv().blockSize());
        kv.put("blocks", kvBlocks.applyAsInt(0)); // replica 0's (it said the top level profile's, held by no replica)
        kv.put("host_blocks", exp.kv().hostBlocks());
        kv.put("offload", exp.kv().offload());
        info.put("kv", kv);
        var plugins = new LinkedHashMap<String, Object>();
        for (var kind : PluginRegistry.SLOTTED) { // the parameters the plugin got, defaults included, sorted by key
            var current = registry.current(kind);
            plugins.put(kind.id(), Json.ordered("plugin", current.id(), "params", new java.util.TreeMap<>(current.params())));
        }
        info.put("plugins", plugins);
        var slo = new LinkedHashMap<String, Object>();
        for (var key : List.of("ttft_ms", "tpot_ms", "e2el_ms")) if (exp.slo().containsKey(key)) slo.put(key, exp.slo().get(key));
        info.put("slo", slo);
        var record = new LinkedHashMap<String, Object>();   // what the tables hold: a thinned iterations.arrow says so here
        record.put("iteration_every", exp.record().iterationEvery());
        record.put("cluster_interval_ms", exp.record().clusterIntervalMs());
        record.put("scheduler_cpu", exp.record().schedulerCpu());
        record.put("router_cpu", exp.record().routerCpu());
        info.put("record", record);
        info.put("faults", exp.faults().isEmpty() ? List.of() : exp.faultSchedule().stream().map(RunInfo::describe).toList());
        if (!exp.swaps().isEmpty()) { // as written, in time order; plugin_history has each as it was made
            info.put("swaps", exp.swaps().stream().map(s -> Json.ordered("at_ms", s.atMs(), "kind", s.kind(), "name",
                    s.name(), "params", new java.util.TreeMap<>(s.params()))).toList());
        }
        info.put("host", Json.ordered("java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "cpus", Runtime.getRuntime().availableProcessors()));
        info.put("created", java.time.Instant.now().toString());
        return info;
    }

    /** An injected fault as run.json lists it (random ones expanded, as they were drawn): times in ms, replica -1 for all. */
    private static Map<String, Object> describe(servelab.runtime.cluster.Fault fault) {
        var d = new LinkedHashMap<String, Object>();
        d.put("kind", fault.kind());
        d.put("replica", fault.replica());
        d.put("from_ms", fault.startNanos() / 1e6);
        d.put("to_ms", fault.endNanos() < 0 ? null : fault.endNanos() / 1e6);
        switch (fault) {
            case servelab.runtime.cluster.Fault.Crash c -> {
                d.put("restart", c.restart());
                d.put("warmup_ms", c.warmupNanos() / 1e6);
            }
            case servelab.runtime.cluster.Fault.Straggle st -> d.put("factor", st.factor());
            case servelab.runtime.cluster.Fault.Partition p -> { }
            case servelab.runtime.cluster.Fault.LostResponses l -> d.put("probability", l.probability());
        }
        return d;
    }

    private static String version() {
        var v = RunInfo.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
