package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.api.PluginKind;

/**
 * One experiment, as read from YAML (snake_case keys) after {@code --set} overrides. Every field has a default, so
 * an empty file is a valid experiment (the demo's synthetic trace under the default plugins).
 *
 * @param name      run name, used in the output folder's name
 * @param seed      seed of every random choice (synthetic traces, seeded policies)
 * @param trace     where requests come from
 * @param executor  {@code simulated} (cost model, virtual clock, the default) or {@code model} (a GGUF Llama model
 *                  run by the Java kernels; each step is timed on the wall clock)
 * @param profile   cost-model profile of the simulated executor: a bundled name ({@code servelab profiles}) or a
 *                  YAML file
 * @param replicas  number of replicas
 * @param kv        KV memory layout
 * @param plugins   plugin per kind id ({@code scheduler}, {@code batcher}, {@code kv-allocator}, ...)
 * @param slo       SLOs in ms: {@code ttft_ms}, {@code tpot_ms}, {@code e2el_ms}
 * @param output    output folder (default {@code runs/NAME})
 * @param record    what to record beyond the deterministic rows
 * @param model     the model executor's model and sampling (used when {@code executor} is {@code model})
 * @param speculation how the simulated executor treats speculative drafts (acceptance, draft cost)
 * @param prompts   what the prompt tokens are (traces carry lengths, not text)
 * @param cluster   replica groups, network delays and the router's view ({@link ClusterSpec})
 * @param faults    injected faults: crashes, stragglers, partitions, lost responses, random ones ({@link FaultSpec})
 * @param autoscaling the fleet the autoscaler scales ({@link AutoscalingSpec}); absent with autoscaler {@code none}:
 *                  a fixed fleet
 * @param gateway   the gateway between trace and router: timeouts, idempotency keys, fallback group
 *                  ({@link GatewaySpec})
 * @param context   the longest request taken and what happens to longer ones ({@link ContextSpec})
 * @param swaps     plugin switches at set times of the run clock ({@link SwapSpec}); two at one time in the order written
 */
public record Experiment(String name, long seed, TraceSpec trace, ExecutorKind executor, String profile, Integer replicas,
                         KvSpec kv, Map<String, PluginSpec> plugins, Map<String, Double> slo, String output,
                         RecordSpec record, ModelSpec model, SpeculationSpec speculation, PromptsSpec prompts,
                         ClusterSpec cluster, List<FaultSpec> faults, AutoscalingSpec autoscaling,
                         GatewaySpec gateway, ContextSpec context, List<SwapSpec> swaps) {

    public Experiment {
        name = name == null ? "run" : name;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name must use letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        trace = trace == null ? TraceSpec.DEMO : trace;
        executor = executor == null ? ExecutorKind.SIMULATED : executor;
        model = model == null ? ModelSpec.NONE : model;
        speculation = speculation == null ? SpeculationSpec.DEFAULT : speculation;
        prompts = prompts == null ? PromptsSpec.SYNTHETIC : prompts;
        if (executor == ExecutorKind.MODEL && model.path() == null) {
            throw new IllegalArgumentException("executor 'model' needs model.path (a GGUF Llama file, e.g. --model "
                    + "Llama-3.2-1B-Instruct-Q8_0.gguf, or `servelab demo --real` for a generated one)");
        }
        profile = profile == null ? "llama-3-8b/h100-80gb" : profile;
        cluster = cluster == null ? ClusterSpec.DEFAULT : cluster;
        context = context == null ? ContextSpec.DEFAULT : context;
        int grouped = cluster.groupedReplicas();
        replicas = replicas == null ? Math.max(1, grouped) : replicas; // a written 0 is refused, not taken as 1
        if (replicas < 1) throw new IllegalArgumentException("replicas must be >= 1, was " + replicas);
        if (grouped > 0 && grouped != replicas) {
            throw new IllegalArgumentException("cluster.groups: the groups' counts add up to " + grouped
                    + ", but replicas is " + replicas);
        }
        kv = kv == null ? new KvSpec(null, 0, 0, false) : kv;
        var named = new LinkedHashMap<String, PluginSpec>();
        if (plugins != null) {
            for (var entry : plugins.entrySet()) {
                var kind = PluginKind.fromId(entry.getKey()); // names the bad key and lists the kinds
                var spec = entry.getValue() == null ? new PluginSpec(null, null) : entry.getValue();
                String pluginName = spec.name() != null ? spec.name() : kind.defaultPlugin();
                named.put(kind.id(), new PluginSpec(pluginName, spec.params()));
            }
        }
        plugins = Map.copyOf(named);
        if (kv.offload() && noPrefixCache(plugins.get(PluginKind.PREFIX_CACHE.id()))
                && cluster.groups().stream().allMatch(g -> noPrefixCache(g.plugins().get(PluginKind.PREFIX_CACHE.id())))) {
            // offload keeps the blocks a prefix cache evicts; without one it copied nothing and said nothing
            throw new IllegalArgumentException("kv.offload keeps the blocks the prefix cache evicts, and "
                    + "plugins.prefix-cache is none: set a prefix cache (hash-block or radix), or leave kv.offload out");
        }
        slo = slo == null ? Map.of() : Map.copyOf(slo);
        for (var entry : slo.entrySet()) {
            if (!List.of("ttft_ms", "tpot_ms", "e2el_ms").contains(entry.getKey())) {
                throw new IllegalArgumentException("unknown slo '" + entry.getKey() + "'; accepted: ttft_ms, tpot_ms, e2el_ms");
            }
            var ms = entry.getValue();
            if (ms == null || !(ms >= 0) || ms.isInfinite()) {
                throw new IllegalArgumentException("slo." + entry.getKey() + " must be a number of milliseconds >= 0, was "
                        + ms);
            }
        }
        record = record == null ? new RecordSpec(false, null, false, null) : record;
        faults = faults == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(faults));
        FaultSpec.resolve(faults, replicas, seed); // checked here, so a bad schedule fails before anything runs
        var scaler = plugins.get(PluginKind.AUTOSCALER.id());
        if (autoscaling == null && scaler != null && !scaler.name().equals("none")) {
            autoscaling = new AutoscalingSpec(null, null, null, null, null); // an autoscaler asks for a fleet
        }
        autoscaling = autoscaling == null ? null : autoscaling.resolved(replicas);
        gateway = gateway == null ? GatewaySpec.DEFAULT : gateway;
        var groupNames = groupNames(cluster);
        if (!gateway.fallbackGroup().isEmpty() && !groupNames.contains(gateway.fallbackGroup())) {
            throw new IllegalArgumentException("gateway.fallback_group '" + gateway.fallbackGroup() + "' is not a "
                    + "replica group; groups: " + String.join(", ", groupNames));
        }
        var admission = plugins.get(PluginKind.ADMISSION.id()); // degrade's group: the runtime knows the groups
        if (admission != null) {
            var bad = badGroup(PluginKind.ADMISSION, admission.name(), admission.params(), groupNames);
            if (bad != null) throw new IllegalArgumentException("plugins.admission.params.group " + bad);
        }
        swaps = swaps == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(swaps));
        for (int i = 0; i < swaps.size(); i++) { // as written: the run makes them in time order, ties as written
            var swap = swaps.get(i);
            if (swap == null) throw new IllegalArgumentException("swaps[" + i + "] is empty: give {at_ms, kind, name}");
            swap.check("swaps[" + i + "]");
            if (swap.kind().equals(PluginKind.AUTOSCALER.id()) && autoscaling == null) {
                throw new IllegalArgumentException("swaps[" + i + "].kind: an autoscaler switch, but the experiment has "
                        + "no autoscaling: block (a fixed fleet); give it one");
            }
            var bad = badGroup(PluginKind.fromId(swap.kind()), swap.name(), swap.params(), groupNames);
            if (bad != null) throw new IllegalArgumentException("swaps[" + i + "].params.group " + bad);
        }
        for (var group : cluster.groups()) {
            for (var kind : group.plugins().keySet()) {
                var k = PluginKind.fromId(kind);
                if (k.scope() == PluginKind.Scope.CLUSTER) {
                    throw new IllegalArgumentException("cluster.groups." + group.name() + ".plugins." + kind
                            + ": " + kind + " is cluster-wide; set it under plugins");
                }
            }
        }
    }

    /** The fault schedule, random entries expanded with their seeds; empty when the experiment injects none. */
    public List<servelab.runtime.cluster.Fault> faultSchedule() {
        return FaultSpec.resolve(faults, replicas, seed);
    }

    /** The cluster's group names as replicas carry them: {@code default} without groups, else each name or g0, g1... */
    /**
     * Why plugin {@code name} of {@code kind} names a replica group the cluster does not have (degrade's
     * {@code group}: a plugin sees only the replicas available to it), or null; checked at load and on a
     * {@code ctl switch} (see {@link #switchCheck}).
     */
    static String badGroup(PluginKind kind, String name, java.util.Map<String, ?> params, List<String> groupNames) {
        if (kind != PluginKind.ADMISSION || !name.replaceFirst("@.*", "").equals("degrade")) return null;
        if (!(params.get("group") instanceof String g) || g.isEmpty() || groupNames.contains(g)) return null;
        return "'" + g + "' is not a replica group; groups: " + String.join(", ", groupNames);
    }

    /**
     * A run's check of the plugins ctl switches it to: what {@link #badGroup} refuses at load, refused there too; and
     * the note a run started with it gets, given to {@code notes}, for a switch to ngram without a model.
     */
    public servelab.runtime.host.SwitchCheck switchCheck(servelab.runtime.host.HostListener notes) {
        var groupNames = groupNames(cluster);
        return (kind, name, params) -> {
            var bad = badGroup(kind, name, params, groupNames);
            if (bad != null) throw new IllegalArgumentException("parameter 'group': " + bad);
            if (kind == PluginKind.SPECULATOR && name.replaceFirst("@.*", "").equals("ngram")) {
                var note = ngramNote();
                if (note != null) notes.report("info", "speculator", "", "", note);
            }
        };
    }

    /** Why ngram proposes nothing in this run (null where it drafts: a model run); its results equalled none's. */
    public String ngramNote() {
        return executor == ExecutorKind.MODEL ? null : "ngram drafts by looking up the prompt's token ids, which "
                + (executor.id().matches("[aeiou].*") ? "an " : "a ") + executor.id() + " run does not have: it "
                + "proposes no drafts here (speculator 'modeled' models speculation in simulation)";
    }

    static List<String> groupNames(ClusterSpec cluster) {
        if (cluster.groups().isEmpty()) return List.of("default");
        var names = new java.util.ArrayList<String>();
        for (int g = 0; g < cluster.groups().size(); g++) {
            var name = cluster.groups().get(g).name();
            names.add(name == null ? "g" + g : name);
        }
        return names;
    }

    /** The plugin chosen for each kind, defaults filled in. */
    public Map<PluginKind, PluginSpec> pluginsByKind() {
        var map = new LinkedHashMap<PluginKind, PluginSpec>();
        for (var kind : PluginKind.values()) {
            var spec = plugins.get(kind.id());
            map.put(kind, spec != null ? spec : new PluginSpec(kind.defaultPlugin(), Map.of()));
        }
        return map;
    }

    private static boolean noPrefixCache(PluginSpec spec) {
        return spec == null || spec.name() == null || spec.name().equals("none");
    }

}
