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
 */
public record Experiment(String name, long seed, TraceSpec trace, ExecutorKind executor, String profile, int replicas,
                         KvSpec kv, Map<String, PluginSpec> plugins, Map<String, Double> slo, String output,
                         RecordSpec record, ModelSpec model, SpeculationSpec speculation, PromptsSpec prompts,
                         ClusterSpec cluster, List<FaultSpec> faults, AutoscalingSpec autoscaling,
                         GatewaySpec gateway, ContextSpec context) {

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
        replicas = replicas == 0 ? Math.max(1, grouped) : replicas;
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
        record = record == null ? new RecordSpec(false, 0, false, null) : record;
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

    /**
     * The model executor's model and how it samples. Every request is run to its trace output length (an end-of-text
     * token does not stop it, like {@code vllm bench serve --ignore-eos}), with the same sampling parameters.
     *
     * @param path        GGUF file of a Llama-family model
     * @param backend     {@code cpu-vector} (default: Vector API kernels on {@code threads} threads) or
     *                    {@code cpu-reference} (scalar kernels, one thread)
     * @param threads     kernel threads (0: one per available processor)
     * @param temperature 0 (default) samples greedily
     * @param topK        0 = off
     * @param topP        1 (default) = off
     * @param minP        0 = off
     * @param warmupS     seconds of throw-away steps before the trace starts, so the JIT has compiled the kernels
     *                    before the first timed step (default 1; 0 = none)
     * @param draftPath   GGUF of the {@code draft-model} speculator's draft model: smaller, same vocabulary
     */
    public record ModelSpec(String path, String backend, int threads, double temperature, int topK, Double topP,
                            double minP, Double warmupS, String draftPath) {
        public static final ModelSpec NONE = new ModelSpec(null, null, 0, 0, 0, null, 0, null, null);

        public ModelSpec {
            backend = backend == null ? "cpu-vector" : backend;
            topP = topP == null ? 1.0 : topP;
            warmupS = warmupS == null ? 1.0 : warmupS;
            if (!(warmupS >= 0)) throw new IllegalArgumentException("model.warmup_s must be >= 0, was " + warmupS);
            if (threads < 0) throw new IllegalArgumentException("model.threads must be >= 0, was " + threads);
            try {
                servelab.runtime.exec.Backend.fromId(backend);
                new servelab.kernels.sample.SamplingParams((float) temperature, topK, topP.floatValue(), (float) minP);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model: " + e.getMessage(), e);
            }
        }

        public servelab.kernels.sample.SamplingParams sampling() {
            return new servelab.kernels.sample.SamplingParams((float) temperature, topK, topP.floatValue(), (float) minP);
        }
    }

    /**
     * Speculative decoding in simulation, where drafts have no content: the target model's acceptance and the cost of
     * proposing. On the model executor drafts are really verified and these are ignored.
     *
     * @param acceptance per-position conditional acceptance rates (the last repeats); default {@code [0.7]}
     * @param draftCost  cost of proposing one draft token, as a fraction of a target decode step over the verifying
     *                   sequences (0: free, like n-gram lookup; about the draft/target size ratio for a draft model)
     */
    public record SpeculationSpec(List<Double> acceptance, double draftCost) {
        public static final SpeculationSpec DEFAULT = new SpeculationSpec(null, 0);

        public SpeculationSpec {
            acceptance = acceptance == null ? List.of(0.7) : List.copyOf(acceptance);
            new servelab.runtime.exec.AcceptanceModel(acceptance, 0); // checks the rates
            if (!(draftCost >= 0)) throw new IllegalArgumentException("speculation.draft_cost must be >= 0, was " + draftCost);
        }
    }

    /**
     * Prompt token ids. {@code synthetic} (default): each token a deterministic function of the request and of the
     * trace's prefix identities (Mooncake {@code hash_ids}), so prefix sharing is what the trace says. {@code
     * repeated}: a random block of {@code period} tokens (seeded by the run seed and the request) repeated to the
     * prompt's length, the kind of context n-gram speculation feeds on (a document quoted back, code with repeated
     * identifiers). {@code random}: independent random tokens, where n-gram lookup finds next to nothing. On the
     * model executor the ids are the model's ordinary (non-special) tokens.
     */
    public record PromptsSpec(String kind, int period) {
        public static final PromptsSpec SYNTHETIC = new PromptsSpec(null, 0);

        public PromptsSpec {
            kind = kind == null ? "synthetic" : kind;
            if (!List.of("synthetic", "repeated", "random").contains(kind)) {
                throw new IllegalArgumentException("prompts.kind '" + kind + "' is unknown; accepted: synthetic, repeated, random");
            }
            period = period == 0 ? 64 : period;
            if (period < 1) throw new IllegalArgumentException("prompts.period must be >= 1, was " + period);
        }
    }

    /**
     * vLLM's {@code --max-model-len} and what it does with a longer request. vLLM's OpenAI server refuses a request
     * whose prompt plus {@code max_tokens} exceed it (an error, recorded in the request's row here); with
     * {@code truncate_prompt_tokens} it keeps the prompt's last tokens instead, which {@code overflow: truncate} does
     * (a request whose output alone does not fit is refused all the same).
     *
     * @param maxModelLen the longest request, prompt plus output tokens (default 0: the profile's
     *                    {@code serving.max_model_len}, or the model's context with {@code executor: model})
     * @param overflow    {@code refuse} (default) or {@code truncate}
     */
    public record ContextSpec(int maxModelLen, String overflow) {
        public static final ContextSpec DEFAULT = new ContextSpec(0, null);

        public ContextSpec {
            if (maxModelLen < 0) throw new IllegalArgumentException("context.max_model_len must be >= 0, was " + maxModelLen);
            overflow = overflow == null ? "refuse" : overflow;
            if (!List.of("refuse", "truncate").contains(overflow)) {
                throw new IllegalArgumentException("context.overflow '" + overflow + "' is unknown; accepted: refuse, truncate");
            }
        }

        public boolean truncate() {
            return overflow.equals("truncate");
        }
    }

    /** The fault schedule, random entries expanded with their seeds; empty when the experiment injects none. */
    public List<servelab.runtime.cluster.Fault> faultSchedule() {
        return FaultSpec.resolve(faults, replicas, seed);
    }

    /** The cluster's group names as replicas carry them: {@code default} without groups, else each name or g0, g1... */
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

    /** A plugin and its raw parameters; a missing name means the kind's default plugin. */
    public record PluginSpec(String name, Map<String, Object> params) {
        public PluginSpec {
            if (name != null && name.isBlank()) throw new IllegalArgumentException("plugin name is blank");
            params = params == null ? Map.of() : new LinkedHashMap<>(params);
        }
    }

    /**
     * KV memory per replica. One host-memory (CPU) tier of {@code host_blocks} blocks serves both swap preemption
     * (batcher {@code preempt_mode: swap}) and, with {@code offload: true}, the prefix-cache blocks the device evicts:
     * they are copied to the host tier instead of being lost and come back on a prefix hit, each copy priced by the
     * cost model's host-link bandwidth. Swapped-out sequences' blocks are never evicted from the tier; offloaded
     * blocks are evicted least recently used first when a slot is needed.
     *
     * @param blockSize  tokens per block (default 16)
     * @param blocks     device blocks (default: what the profile's memory holds)
     * @param hostBlocks host-tier blocks, for swap preemption and offload (default 0: no host tier)
     * @param offload    keep evicted prefix-cache blocks in the host tier (default false); needs
     *                   {@code host_blocks > 0} and a prefix cache ({@code plugins.prefix-cache})
     */
    public record KvSpec(Integer blockSize, int blocks, int hostBlocks, boolean offload) {
        public KvSpec {
            blockSize = blockSize == null ? 16 : blockSize; // absent means 16; a written 0 is refused below
            if (blockSize < 1) throw new IllegalArgumentException("kv.block_size must be >= 1, was " + blockSize);
            if (blocks < 0) throw new IllegalArgumentException("kv.blocks must be >= 0, was " + blocks);
            if (hostBlocks < 0) throw new IllegalArgumentException("kv.host_blocks must be >= 0, was " + hostBlocks);
            if (offload && hostBlocks == 0) {
                throw new IllegalArgumentException("kv.offload needs a host tier: set kv.host_blocks > 0 (blocks of "
                        + "block_size tokens in host memory)");
            }
        }
    }

    /**
     * @param schedulerCpu      measure each scheduler call's CPU time (wall clock) into {@code iterations.arrow}; off
     *                          by default because a measured time makes the rows differ from run to run
     * @param clusterIntervalMs interval of the cluster time series (cluster.arrow), ms (default 100)
     * @param routerCpu         measure each admission and routing call's wall time into {@code router_cpu_ns}
     *                          (off by default, for the same reason)
     * @param iterationEvery    record every k-th step of each replica in iterations.arrow (absent: 1, all); thins the
     *                          table for long runs; 0 records none (the table is written empty). cluster.arrow's time
     *                          series, binned every {@code clusterIntervalMs}, still counts every step
     */
    public record RecordSpec(boolean schedulerCpu, double clusterIntervalMs, boolean routerCpu, Integer iterationEvery) {
        public RecordSpec {
            iterationEvery = iterationEvery == null ? 1 : iterationEvery; // absent means all; a written 0 means none
            if (iterationEvery < 0) {
                throw new IllegalArgumentException("record.iteration_every must be >= 0 (0: no iteration rows), was "
                        + iterationEvery);
            }
            clusterIntervalMs = clusterIntervalMs == 0 ? 100 : clusterIntervalMs;
            if (!(clusterIntervalMs > 0)) {
                throw new IllegalArgumentException("record.cluster_interval_ms must be > 0, was " + clusterIntervalMs);
            }
        }
    }

    /**
     * Controlled prefix sharing: {@code share} of the requests start with one of {@code prompts} system prompts of
     * {@code tokens} tokens (rounded down to whole blocks of {@code blockTokens}, default 16).
     */
    public record SharedPrefixSpec(int prompts, int tokens, double share, int blockTokens) {
        public SharedPrefixSpec {
            blockTokens = blockTokens == 0 ? 16 : blockTokens;
        }
    }

    /** Requests: a trace file or a synthetic generator, then transforms. */
    public record TraceSpec(String file, String format, boolean skipBadRows, SyntheticSpec synthetic,
                            TransformSpec transforms) {
        /** The demo's workload: 600 requests at 6 req/s with log-normal lengths, made by the project. */
        public static final TraceSpec DEMO = new TraceSpec(null, null, false, SyntheticSpec.DEMO, null);

        public TraceSpec {
            if (file != null && synthetic != null) {
                throw new IllegalArgumentException("trace: give either file or synthetic, not both");
            }
            if (file == null && synthetic == null) synthetic = SyntheticSpec.DEMO;
            format = format == null ? "auto" : format;
            transforms = transforms == null ? TransformSpec.NONE : transforms;
        }
    }

    /**
     * A synthetic workload.
     *
     * @param count    requests
     * @param arrivals {@code process}: poisson (rate) | gamma (rate, cv) | on-off (rate_on, rate_off, mean_on_s,
     *                 mean_off_s); rates in requests per second
     * @param input    prompt lengths: {@code dist}: fixed (value) | uniform (min, max) | zipf (s, max) | lognormal
     *                 (mean, sigma, min, max)
     * @param output   output lengths, same form
     * @param tenants  number of tenants requests are spread over uniformly
     */
    public record SyntheticSpec(Integer count, Map<String, Object> arrivals, Map<String, Object> input,
                                Map<String, Object> output, Integer tenants) {
        /** The keys each arrival process and each length distribution reads; any other key is a typo. */
        private static final Map<String, List<String>> ARRIVAL_KEYS = Map.of("poisson", List.of("rate"),
                "gamma", List.of("rate", "cv"), "on-off", List.of("rate_on", "rate_off", "mean_on_s", "mean_off_s"));
        private static final Map<String, List<String>> LENGTH_KEYS = Map.of("fixed", List.of("value"),
                "uniform", List.of("min", "max"), "zipf", List.of("s", "max"),
                "lognormal", List.of("mean", "sigma", "min", "max"));
        private static final Map<String, Object> DEFAULT_ARRIVALS = Map.of("process", "poisson", "rate", 6.0);
        private static final Map<String, Object> DEFAULT_INPUT =
                Map.of("dist", "lognormal", "mean", 800, "sigma", 0.9, "min", 16, "max", 6144);
        private static final Map<String, Object> DEFAULT_OUTPUT =
                Map.of("dist", "lognormal", "mean", 220, "sigma", 0.8, "min", 4, "max", 2048);
        public static final SyntheticSpec DEMO = new SyntheticSpec(600, null, null, null, 1);

        /** Missing parts take the demo's values: 600 requests, Poisson at 6 req/s, log-normal lengths. */
        public SyntheticSpec {
            count = count == null ? 600 : count;
            if (count < 1) throw new IllegalArgumentException("trace.synthetic.count must be >= 1, was " + count);
            arrivals = withDefaults(arrivals, DEFAULT_ARRIVALS, "process");
            input = withDefaults(input, DEFAULT_INPUT, "dist");
            output = withDefaults(output, DEFAULT_OUTPUT, "dist");
            requireKnownKeys("trace.synthetic.arrivals", arrivals, "process", ARRIVAL_KEYS);
            requireKnownKeys("trace.synthetic.input", input, "dist", LENGTH_KEYS);
            requireKnownKeys("trace.synthetic.output", output, "dist", LENGTH_KEYS);
            tenants = tenants == null ? 1 : tenants;
            if (tenants < 1) throw new IllegalArgumentException("trace.synthetic.tenants must be >= 1, was " + tenants);
            ExperimentTrace.check(arrivals, input, output); // the parameters: fields are set after this body
        }

        /** Refuses keys the chosen process or distribution does not read ({@code meen}, {@code cv} on poisson). */
        private static void requireKnownKeys(String where, Map<String, Object> given, String kindKey,
                                             Map<String, List<String>> keysByKind) {
            var kind = String.valueOf(given.get(kindKey));
            var accepted = keysByKind.get(kind);
            if (accepted == null) {
                throw new IllegalArgumentException(where + "." + kindKey + " must be one of "
                        + String.join(", ", keysByKind.keySet().stream().sorted().toList()) + ", was '" + kind + "'");
            }
            for (var key : given.keySet().stream().sorted().toList()) {
                if (!key.equals(kindKey) && !accepted.contains(key)) {
                    throw new IllegalArgumentException("unknown key " + where + "." + key + " for " + kindKey + " "
                            + kind + "; accepted there: " + kindKey + ", " + String.join(", ", accepted));
                }
            }
        }

        /** Given keys over the defaults, unless the given map names another distribution (then only its keys). */
        private static Map<String, Object> withDefaults(Map<String, Object> given, Map<String, Object> defaults,
                                                        String kindKey) {
            if (given == null) return defaults;
            var kind = given.get(kindKey);
            if (kind != null && !kind.equals(defaults.get(kindKey))) return Map.copyOf(given);
            var merged = new LinkedHashMap<>(defaults);
            merged.putAll(given);
            return Map.copyOf(merged);
        }
    }

    /**
     * Transforms applied to the trace, in this order: window, first, time scale, target rate.
     *
     * @param windowS    keep requests arriving in [start, end) seconds (a two-element list)
     * @param first      keep the first N requests (0: all)
     * @param timeScale  multiply arrival times (0.5 = twice the rate)
     * @param targetRate rescale arrivals to this mean rate in req/s (0: keep)
     * @param sharedPrefix shared system prompts for traces without prefix information (applied last)
     */
    public record TransformSpec(List<Double> windowS, long first, double timeScale, double targetRate,
                                SharedPrefixSpec sharedPrefix) {
        public static final TransformSpec NONE = new TransformSpec(null, 0, 0, 0, null);

        public TransformSpec {
            if (windowS != null && (windowS.size() != 2 || windowS.get(0) >= windowS.get(1))) {
                throw new IllegalArgumentException("trace.transforms.window_s must be [start, end] with start < end, was "
                        + windowS);
            }
            if (first < 0 || timeScale < 0 || targetRate < 0) {
                throw new IllegalArgumentException("trace.transforms: first, time_scale and target_rate must be >= 0");
            }
        }
    }
}
