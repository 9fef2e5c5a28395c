package servelab.runtime.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import servelab.api.PluginKind;
import servelab.datasets.TraceRequest;
import servelab.runtime.engine.EngineException;
import servelab.runtime.engine.Executor;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.AcceptanceModel;
import servelab.runtime.exec.ModelExecutor;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.cost.CostModel;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.host.ControlServer;
import servelab.runtime.host.HostListener;
import servelab.runtime.host.PluginRegistry;
import servelab.runtime.host.PluginSelection;
import servelab.runtime.host.Testbed;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Summary;

/**
 * Runs one experiment: starts the plugin host on the plugins directory (watched, so jars dropped in while the
 * run goes on swap policies), builds the replicas from the selected plugins and the cost-model profile, replays
 * the trace in simulation, records every row, and computes the summary from the written Arrow files.
 */
public final class ExperimentRunner {

    /** Progress callbacks, on the engine's thread. */
    public interface Progress {
        void update(long requestsDone, long simulatedNanos);

        Progress NONE = (done, sim) -> {};
    }

    /** What a run produced. */
    public record Result(Path runDir, Summary summary, long simulatedNanos, long wallNanos, long iterations,
                         long requests) {}

    /** How to run, beyond the experiment itself. */
    public record Options(Path pluginsDir, HostListener hostListener, Progress progress,
                          Simulation.StepListener stepHook) {
        public Options {
            hostListener = hostListener == null ? HostListener.STDERR : hostListener;
            progress = progress == null ? Progress.NONE : progress;
            stepHook = stepHook == null ? (replica, end) -> {} : stepHook;
        }
    }

    private ExperimentRunner() {}

    public static Result run(Experiment exp, Path runDir, Options options) throws IOException {
        long wallStart = System.nanoTime();
        boolean real = exp.executor().equals("model");
        var speculator = exp.pluginsByKind().get(PluginKind.SPECULATOR);
        if (real && speculator != null && speculator.name().equals("modeled")) {
            throw new IllegalArgumentException("speculator 'modeled' proposes placeholder drafts for the simulated "
                    + "executor's acceptance model; on the model executor use one that drafts real tokens (ngram, layer-skip, draft-model)");
        }
        CostModel cost = real ? null : CostModels.load(exp.profile());
        int blockSize = exp.kv().blockSize();
        var slo = slo(exp);
        var events = new HostEvents(options.hostListener());
        if (real && speculator != null && speculator.name().equals("draft-model") && exp.model().draftPath() == null) {
            throw new IllegalArgumentException("speculator 'draft-model' on the model executor needs model.draft_path "
                    + "(a smaller GGUF with the target's vocabulary)");
        }
        try (var model = real ? ModelExecutor.LoadedModel.open(Path.of(exp.model().path())) : null;
             var draft = real && exp.model().draftPath() != null
                     ? ModelExecutor.LoadedModel.open(Path.of(exp.model().draftPath())) : null;
             var testbed = Testbed.start(options.pluginsDir(), events)) {
            int blocks = exp.kv().blocks() > 0 ? exp.kv().blocks()
                    : real ? defaultModelBlocks(model, draft, blockSize) : cost.kvCapacityBlocks(blockSize);
            events.clear(); // the initial deployment is described in run.json
            var slots = testbed.registry().createSlots(exp.replicas(), selections(exp));
            testbed.watch();
            Files.createDirectories(runDir);
            try (var recorder = RunRecorder.create(runDir, RecorderOptions.defaults().withSlo(slo));
                 var outputs = real ? new OutputsFile(runDir.resolve("outputs.jsonl"), model.llama().tokenizer()) : null;
                 var control = new ControlServer(testbed.registry())) {
                Files.writeString(runDir.resolve("control.port"), control.port() + "\n");
                var sink = sink(recorder, outputs, exp.record().schedulerCpu());
                var replicas = new ArrayList<Replica>();
                var models = new ArrayList<ModelExecutor>();
                Executor first = null;
                for (int r = 0; r < exp.replicas(); r++) {
                    Executor executor;
                    if (real) {
                        var m = new ModelExecutor(model, draft, modelOptions(exp), blockSize, blocks, exp.kv().hostBlocks());
                        if (r == 0 && !m.backend().id().equals(exp.model().backend())) {
                            System.err.println("servelab: " + m.backendNote()); // the asked-for backend is unavailable
                        }
                        models.add(m);
                        if (r == 0 && exp.model().warmupS() > 0) m.warmUp(exp.model().warmupS()); // JIT is per JVM
                        executor = m;
                    } else {
                        executor = new SimulatedExecutor(cost, blockSize, new AcceptanceModel(
                                exp.speculation().acceptance(), exp.seed()), exp.speculation().draftCost());
                    }
                    if (first == null) first = executor;
                    var replica = new Replica(r, new ReplicaConfig(blockSize, blocks, exp.kv().hostBlocks(), exp.kv().offload()),
                            slots.replicas().get(r), executor, sink);
                    replica.usePrompts(Prompts.of(exp.prompts(), exp.seed(), executor.tokenSpace()));
                    replicas.add(replica);
                }
                var sim = new Simulation(replicas, slots.cluster(), sink);
                sim.onStep((replica, end) -> {
                    events.drainTo(sink, end, replica.iterations(), replica.index());
                    options.stepHook().afterStep(replica, end);
                    options.progress().update(completed(replicas), end);
                });
                var info = runInfo(exp, first, blocks, testbed.registry());
                recorder.writeRunJson(info);
                long simulated;
                try (var trace = ExperimentTrace.open(exp)) {
                    info.put("trace", trace.describe());
                    recorder.writeRunJson(info);
                    simulated = runToEnd(sim, trace.iterator(), replicas, recorder);
                    info.put("trace", trace.describe()); // now with counts of rows read and skipped
                }
                long iterations = replicas.stream().mapToLong(Replica::iterations).sum();
                info.put("result", new LinkedHashMap<>(Map.of("simulated_s", simulated / 1e9,
                        "wall_s", (System.nanoTime() - wallStart) / 1e9, "iterations", iterations,
                        "requests", sim.submitted())));
                recorder.writeRunJson(info);
                recorder.close();
                models.forEach(ModelExecutor::close);
                var summary = Summary.compute(RunResults.load(runDir), slo);
                Json.write(runDir.resolve("summary.json"), summary.toJson());
                return new Result(runDir, summary, simulated, System.nanoTime() - wallStart, iterations,
                        sim.submitted());
            } finally {
                Files.deleteIfExists(runDir.resolve("control.port"));
            }
        }
    }

    /**
     * KV blocks the model executor gets when kv.blocks is not given: 1 GiB of F32 keys and values (the target's and
     * the draft model's), or 64 full contexts.
     */
    static int defaultModelBlocks(ModelExecutor.LoadedModel model, ModelExecutor.LoadedModel draft, int blockSize) {
        long perBlock = model.kvBlockBytes(blockSize) + (draft == null ? 0 : draft.kvBlockBytes(blockSize));
        long byMemory = (1L << 30) / perBlock;
        long byContext = (64L * model.llama().config().contextLength() + blockSize - 1) / blockSize;
        return (int) Math.max(1, Math.min(byMemory, byContext));
    }

    private static ModelExecutor.Options modelOptions(Experiment exp) {
        var m = exp.model();
        return new ModelExecutor.Options(m.sampling(), exp.seed(), ModelExecutor.Backend.fromId(m.backend()), m.threads());
    }

    /** Replays to the end; on an engine failure, records what is left as failed and closes the files cleanly. */
    private static long runToEnd(Simulation sim, Iterator<TraceRequest> trace, List<Replica> replicas,
                                 RunRecorder recorder) {
        try {
            return sim.run(trace);
        } catch (EngineException e) {
            for (var replica : replicas) replica.abandon("run aborted: " + e.getMessage());
            try {
                recorder.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static long completed(List<Replica> replicas) {
        long n = 0;
        for (var r : replicas) n += r.completed();
        return n;
    }

    static Map<PluginKind, PluginSelection> selections(Experiment exp) {
        var map = new EnumMap<PluginKind, PluginSelection>(PluginKind.class);
        exp.pluginsByKind().forEach((kind, spec) -> map.put(kind, new PluginSelection(kind, spec.name(), spec.params())));
        return map;
    }

    private static Slo slo(Experiment exp) {
        var s = exp.slo();
        return new Slo(opt(s.get("ttft_ms")), opt(s.get("tpot_ms")), opt(s.get("e2el_ms")));
    }

    private static OptionalDouble opt(Double v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    private static ResultSink sink(RunRecorder recorder, OutputsFile outputs, boolean keepSchedulerCpu) {
        return new ResultSink() {
            @Override public void request(RequestRow row) { recorder.request(row); }
            @Override public void event(EventRow row) { recorder.event(row); }
            @Override public void output(long requestId, int[] tokens) { if (outputs != null) outputs.write(requestId, tokens); }

            @Override
            public void iteration(IterationRow row) {
                // a measured wall time would make rows differ between identical runs: keep it only when asked
                recorder.iteration(keepSchedulerCpu ? row : withoutCpu(row));
            }
        };
    }

    private static IterationRow withoutCpu(IterationRow r) {
        return new IterationRow(r.iteration(), r.replica(), r.startNanos(), r.endNanos(), r.batchSize(),
                r.prefillSeqs(), r.decodeSeqs(), r.prefillTokens(), r.decodeTokens(), r.waitingSeqs(),
                r.runningSeqs(), r.kvBlocksUsed(), r.kvBlocksTotal(), r.kvBlocksCached(), r.kvTokensStored(),
                r.kvTokensReservedUnused(), r.prefixQueryTokens(), r.prefixHitTokens(),
                r.preemptions(), 0, r.scheduler(), r.batcher(), r.host(), r.spec());
    }

    private static Map<String, Object> runInfo(Experiment exp, Executor executor, int blocks, PluginRegistry registry) {
        var info = new LinkedHashMap<String, Object>();
        info.put("servelab_version", servelabVersion());
        info.put("name", exp.name());
        info.put("seed", exp.seed());
        info.put("executor", executor.describe());
        if (executor instanceof ModelExecutor model) {
            info.put("backend", model.backend().id());
            if (!model.backend().id().equals(exp.model().backend())) info.put("backend_requested", exp.model().backend());
            if (!model.backendNote().isEmpty()) info.put("backend_note", model.backendNote());
            var section = new LinkedHashMap<String, Object>(Map.of("path", exp.model().path(), "backend",
                    model.backend().id(), "kv_pool_bytes", model.kvPoolBytes(), "sampling", exp.model().sampling().toString()));
            if (exp.model().draftPath() != null) section.put("draft_path", exp.model().draftPath());
            info.put("model", section);
        } else {
            info.put("backend", "simulated");
            info.put("profile", exp.profile());
        }
        info.put("replicas", exp.replicas());
        info.put("prompts", new LinkedHashMap<>(Map.of("kind", exp.prompts().kind(), "period", exp.prompts().period())));
        var kv = new LinkedHashMap<String, Object>();
        kv.put("block_size", exp.kv().blockSize());
        kv.put("blocks", blocks);
        kv.put("host_blocks", exp.kv().hostBlocks());
        kv.put("offload", exp.kv().offload());
        info.put("kv", kv);
        var plugins = new LinkedHashMap<String, Object>();
        for (var kind : PluginRegistry.SLOTTED) {
            var selected = exp.pluginsByKind().get(kind);
            plugins.put(kind.id(), new LinkedHashMap<>(Map.of("plugin", registry.currentId(kind),
                    "params", selected.params())));
        }
        info.put("plugins", plugins);
        info.put("slo", exp.slo());
        info.put("host", new LinkedHashMap<>(Map.of("java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "cpus", Runtime.getRuntime().availableProcessors())));
        info.put("created", java.time.Instant.now().toString());
        return info;
    }

    private static String servelabVersion() {
        var v = ExperimentRunner.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

}
