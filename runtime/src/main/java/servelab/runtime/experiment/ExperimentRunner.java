package servelab.runtime.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import servelab.api.PluginKind;
import servelab.runtime.engine.ClusterSink;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.AcceptanceModel;
import servelab.runtime.exec.EmulatedSetup;
import servelab.runtime.exec.ExecutorSetup;
import servelab.runtime.exec.ModelSetup;
import servelab.runtime.exec.SimulatedSetup;
import servelab.runtime.host.ControlServer;
import servelab.runtime.host.HostListener;
import servelab.runtime.host.PluginIndex;
import servelab.runtime.host.PluginSelection;
import servelab.runtime.host.Testbed;
import servelab.runtime.record.ClusterRow;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;
import servelab.runtime.report.ClusterSummary;
import servelab.runtime.report.ResilienceSummary;
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

    /**
     * How to run, beyond the experiment itself.
     *
     * @param testbed a started testbed to run in and leave running (its plugins directory is not watched then), or
     *                null to start one from {@code pluginsDir} for this run and stop it after
     */
    public record Options(Path pluginsDir, HostListener hostListener, Progress progress,
                          Simulation.StepListener stepHook, Testbed testbed) {
        public Options {
            hostListener = hostListener == null ? HostListener.STDERR : hostListener;
            progress = progress == null ? Progress.NONE : progress;
            stepHook = stepHook == null ? (replica, end) -> {} : stepHook;
        }

        public Options(Path pluginsDir, HostListener hostListener, Progress progress,
                       Simulation.StepListener stepHook) {
            this(pluginsDir, hostListener, progress, stepHook, null);
        }
    }

    private ExperimentRunner() {}

    public static Result run(Experiment exp, Path runDir, Options options) throws IOException {
        long wallStart = System.nanoTime();
        // the JVM's own start, class loading and the command line before this run began (a fresh process's cost)
        long startupNanos = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        RunRecorder.requireNoResults(runDir);
        boolean existed = Files.exists(runDir);
        var events = new HostEvents(options.hostListener());
        if (exp.ngramNote() != null && ClusterLayout.replicas(exp).stream().anyMatch(plan ->
                plan.selections().get(PluginKind.SPECULATOR) instanceof PluginSelection sel && sel.name().equals("ngram"))) {
            options.hostListener().report("info", "speculator", "", "", exp.ngramNote()); // and ctl switch's (switchCheck)
        }
        if (exp.trace().file() == null && exp.trace().synthetic() != null) {
            for (var note : ExperimentTrace.clampNotes(exp.trace().synthetic())) {
                options.hostListener().report("info", "trace", "", "", note);
            }
        }
        if (exp.trace().transforms().sharedPrefix() != null && !exp.prompts().kind().equals("synthetic")) {
            options.hostListener().report("info", "trace", "", "", "trace.transforms.shared_prefix shares prompt "
                    + "blocks, but prompts.kind " + exp.prompts().kind() + " gives every request token ids of its own: "
                    + "nothing is shared (prompts.kind: synthetic keeps the shared blocks)");
        }
        if (exp.trace().transforms().sharedPrefix() != null && ClusterLayout.replicas(exp).stream().allMatch(plan ->
                plan.selections().get(PluginKind.PREFIX_CACHE) instanceof PluginSelection sel && sel.name().equals("none"))) {
            // the shared prompts were made and no replica looked them up: 0 cached tokens, nothing said
            options.hostListener().report("info", "prefix-cache", "", "", "trace.transforms.shared_prefix shares "
                    + "prompts, but no replica has a prefix cache (plugins.prefix-cache.name is none): nothing is reused "
                    + "(radix or hash-block caches them)");
        }
        try (var setup = ExecutorSetups.open(exp);
             var own = options.testbed() == null ? Testbed.startFor(options.pluginsDir(), events, selected(exp),
                     PluginIndex.standard()) : null) {
            var testbed = own != null ? own : options.testbed();
            try (var trace = TraceReplay.openChecked(exp)) {
                return run(exp, trace, runDir, options, setup, testbed, events, own != null, wallStart, startupNanos);
            } finally {
                if (own == null) testbed.registry().endRun();
            }
        } catch (RuntimeException | Error | IOException e) {
            if (!Files.exists(runDir.resolve("run.json"))) discardUnstarted(runDir, existed);
            throw e;
        }
    }

    /**
     * A run refused in its setup (a draft model of another vocabulary, say) left empty tables and no run.json, and
     * the folder then refused the corrected run as one that "already holds results": what it wrote goes, and the
     * folder too when this run made it.
     */
    private static void discardUnstarted(Path runDir, boolean existed) {
        try {
            for (var table : servelab.runtime.record.ResultTable.values()) {
                Files.deleteIfExists(runDir.resolve(table.fileName()));
                Files.deleteIfExists(runDir.resolve(table.streamFileName()));
            }
            for (var name : List.of("outputs.jsonl", "control.port", "control.key")) Files.deleteIfExists(runDir.resolve(name));
            if (!existed) {
                try (var left = Files.list(runDir)) {
                    if (left.findAny().isEmpty()) Files.delete(runDir);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the error that stopped the run is the one to report
        }
    }

    /** A run in {@code testbed}, whose deployments reach {@code events} (watched: jars dropped in hot-swap). */
    private static Result run(Experiment exp, ExperimentTrace trace, Path runDir, Options options, ExecutorSetup setup,
                              Testbed testbed, HostEvents events, boolean watch, long wallStart, long startupNanos)
            throws IOException {
        var slo = slo(exp);
        int blocks = exp.kv().blocks() > 0 ? exp.kv().blocks() : setup.defaultKvBlocks(exp.kv().blockSize());
        events.clear(); // the initial deployment is described in run.json
        var plans = ClusterLayout.replicas(exp);
        var slots = testbed.registry().createSlots(plans.stream().map(ClusterLayout.ReplicaPlan::selections).toList());
        testbed.registry().checkSwitches(exp.switchCheck(events));
        ScheduledSwaps.check(exp, testbed.registry());
        if (exp.autoscaling() == null) {
            testbed.registry().unread(Map.of(PluginKind.AUTOSCALER, "the experiment has no autoscaling: block (a fixed "
                    + "fleet); give it one, or name an autoscaler from the start"));
        }
        if (watch) testbed.watch();
        Files.createDirectories(runDir);
        var controlOptions = servelab.runtime.host.ControlFiles.options(System.getenv());
        try (var recorder = RunRecorder.create(runDir, RecorderOptions.defaults().withSlo(slo)
                     .withSchedulerCpu(exp.record().schedulerCpu()));
             var outputs = outputs(setup, runDir);
             var control = new ControlServer(testbed.registry(), controlOptions, options.hostListener())) {
            servelab.runtime.host.ControlFiles.write(runDir, control.port(), controlOptions, System.getenv());
            var clusterOptions = ClusterLayout.options(exp, plans);
            var history = new PluginHistory(events.notEchoed());
            var sink = new ClusterSink(history.wrap(sink(recorder, outputs, exp.record().iterationEvery())),
                    clusterOptions.network());
            var coldStarts = new long[exp.replicas()];
            var replicas = replicas(exp, setup, blocks, plans, slots.replicas(), sink, coldStarts);
            var sim = new Simulation(replicas, slots.cluster(), sink, clusterOptions);
            if (!exp.faults().isEmpty()) sim.faults(exp.faultSchedule(), coldStarts);
            if (exp.autoscaling() != null) sim.autoscale(exp.autoscaling().scaling(), coldStarts);
            ScheduledSwaps.schedule(exp, sim, testbed.registry(), events);
            var stall = new StallWatch(options.hostListener());
            sim.onStep((replica, end) -> {
                stall.stepped();
                events.drainTo(sink, end);
                options.stepHook().afterStep(replica, end);
                options.progress().update(completed(replicas), end);
            });
            var info = RunInfo.of(exp, setup, testbed.registry(), r -> replicas.get(r).totalBlocks());
            int maxModelLen = replicas.getFirst().maxModelLen();
            var context = ordered("max_model_len", maxModelLen == Integer.MAX_VALUE ? null : maxModelLen,
                    "overflow", exp.context().overflow());
            info.put("context", context);
            long simulated;
            long replayStart = System.nanoTime();
            Throwable failure = null;
            try {
                stall.start();
                simulated = TraceReplay.replay(trace, sim, replicas, recorder, info);
            } catch (RuntimeException | Error e) { // the folder says the run stopped early, and why
                info.put("aborted", e.getMessage() != null ? e.getMessage() : e.toString());
                failure = e;
                throw e;
            } finally { // a fault that stopped the run belongs in run.json most of all
                stall.close();
                var truncated = new java.util.BitSet();
                for (var replica : replicas) truncated.or(replica.truncated());
                context.put("truncated_requests", truncated.cardinality());
                info.put("plugin_history", history.entries());
                info.put("faulted_plugins", history.faulted());
                try {
                    recorder.writeRunJson(info);
                } catch (IOException | RuntimeException writing) { // a full disk: the replay's error is the one to say
                    if (failure == null) throw writing;
                    failure.addSuppressed(writing);
                }
            }
            long iterations = replicas.stream().mapToLong(Replica::iterations).sum();
            var phases = new Phases(startupNanos, replayStart - wallStart, System.nanoTime() - replayStart);
            var result = ordered("simulated_s", simulated / 1e9,
                    "wall_s", (System.nanoTime() - wallStart) / 1e9, "iterations", iterations,
                    "requests", sim.submitted(), "replica_seconds", replicaSeconds(sim).total(),
                    "replica_seconds_by_replica", replicaSeconds(sim).byReplica(),
                    "duplicate_executions_avoided", sim.duplicatesAvoided(), "phases_s", phases.toJson());
            info.put("result", result);
            recorder.writeRunJson(info);
            long convertStart = System.nanoTime();
            Summary summary;
            try {
                var ahead = new SummaryAhead(runDir, slo); // read while the other tables convert
                recorder.close(ahead::converted);
                phases = phases.converted(System.nanoTime() - convertStart);
                var cost = replicaSeconds(sim);
                summary = writeSummary(runDir, ahead.get(), cost.total(), cost.byReplica());
            } catch (IOException | RuntimeException e) { // the replay ended; its files did not close (a full disk)
                info.put("aborted", "the replay ended, but closing its files failed: " + e.getMessage());
                try {
                    recorder.writeRunJson(info);
                } catch (IOException | RuntimeException writing) {
                    e.addSuppressed(writing);
                }
                throw e;
            }
            long wall = System.nanoTime() - wallStart;
            // the whole run as the console reports it: the stream conversion and the summary are part of it
            phases = phases.summarized(wall - phases.setup() - phases.replay() - phases.convert());
            result.put("wall_s", wall / 1e9);
            result.put("phases_s", phases.toJson());
            recorder.writeRunJson(info);
            return new Result(runDir, summary, simulated, wall, iterations, sim.submitted());
        } finally {
            servelab.runtime.host.ControlFiles.delete(runDir);
        }
    }

    /** outputs.jsonl where the executor generates text: each request's tokens and their decoded text. */
    public static OutputsFile outputs(ExecutorSetup setup, Path runDir) throws IOException {
        return switch (setup) {
            case SimulatedSetup simulated -> null;
            case EmulatedSetup emulated -> null;
            case ModelSetup model -> new OutputsFile(runDir.resolve("outputs.jsonl"), model.tokenizer());
        };
    }

    /**
     * One replica per plan; a group with a profile of its own gets executors (and a default KV size) from it.
     * {@code coldStarts[r]} is set to replica r's model load time.
     */
    private static List<Replica> replicas(Experiment exp, ExecutorSetup setup, int blocks,
                                          List<ClusterLayout.ReplicaPlan> plans, List<ReplicaSlots> slots,
                                          ResultSink sink, long[] coldStarts) {
        var kv = exp.kv();
        var replicas = new ArrayList<Replica>();
        var groupSetups = new java.util.HashMap<String, ExecutorSetup>();
        for (int r = 0; r < exp.replicas(); r++) {
            var plan = plans.get(r);
            var own = setup instanceof SimulatedSetup && !plan.profile().equals(exp.profile())
                    ? groupSetups.computeIfAbsent(plan.profile(), p -> SimulatedSetup.open(new SimulatedSetup.Settings(p,
                            new AcceptanceModel(exp.speculation().acceptance(), exp.seed()), exp.speculation().draftCost())))
                    : setup;
            int replicaBlocks = plan.kvBlocks() > 0 ? plan.kvBlocks()
                    : own == setup ? blocks : own.defaultKvBlocks(kv.blockSize());
            if (replicaBlocks < 1) { // the profile's KV memory holds not one block of that size
                throw new IllegalArgumentException("kv.block_size " + kv.blockSize() + " is too large: replica " + r
                        + "'s KV memory (profile " + plan.profile() + ") holds no block of that many tokens; set a "
                        + "smaller kv.block_size, or kv.blocks");
            }
            var executor = own.executor(r, kv.blockSize(), replicaBlocks, kv.hostBlocks());
            coldStarts[r] = own.modelLoadNanos();
            var context = exp.context();
            if (context.maxModelLen() > executor.maxSequenceTokens()) {
                throw new IllegalArgumentException("context.max_model_len " + context.maxModelLen() + " is more than the "
                        + "model takes: " + executor.maxSequenceTokens() + " (the profile's serving.max_model_len, or the "
                        + "GGUF's context length)");
            }
            var replica = new Replica(r, new ReplicaConfig(kv.blockSize(), replicaBlocks, kv.hostBlocks(), kv.offload(),
                    context.maxModelLen(), context.truncate()), slots.get(r), executor, sink);
            replica.usePrompts(Prompts.of(exp.prompts(), exp.seed(), executor.tokenSpace()));
            replicas.add(replica);
        }
        return replicas;
    }

    /**
     * Writes summary.json: {@code summary} ({@link Summary#compute(Path, Slo)}'s, from the closed tables read back batch
     * by batch) and the cluster's; {@code byReplica} null leaves that key out (a recovered run's).
     */
    public static Summary writeSummary(Path runDir, Summary summary, double replicaSeconds, List<Double> byReplica)
            throws IOException {
        var json = summary.toJson();
        ClusterSummary.compute(runDir, byReplica).ifPresent(c -> json.putAll(c.toJson()));
        json.put("replica_seconds", replicaSeconds);
        if (byReplica != null) json.put("replica_seconds_by_replica", byReplica);
        servelab.runtime.report.DeviceSeconds.compute(runDir, byReplica).ifPresent(d -> json.put("device_seconds", d));
        ResilienceSummary.compute(runDir).ifPresent(r -> json.putAll(r.toJson()));
        servelab.runtime.report.LoadTrend.compute(runDir).ifPresent(t -> json.putAll(t.toJson()));
        Json.write(runDir.resolve("summary.json"), json);
        return summary;
    }

    /** What the fleet cost: seconds each replica spent serving, starting or draining, up to the run's end. */
    record ReplicaSeconds(double total, List<Double> byReplica) {}

    static ReplicaSeconds replicaSeconds(Simulation sim) {
        var by = new ArrayList<Double>();
        double total = 0;
        for (int r = 0; r < sim.replicas().size(); r++) {
            double s = sim.replicaNanos(r, sim.finishedNanos()) / 1e9;
            by.add(s);
            total += s;
        }
        return new ReplicaSeconds(total, List.copyOf(by));
    }

    private static long completed(List<Replica> replicas) {
        long n = 0;
        for (var r : replicas) n += r.completed();
        return n;
    }

    /** Every plugin the run's slots start with: each kind's default, then what the experiment and its groups select. */
    private static List<PluginSelection> selected(Experiment exp) {
        var all = new ArrayList<PluginSelection>();
        for (var kind : PluginKind.values()) all.add(PluginSelection.of(kind, kind.defaultPlugin()));
        for (var plan : ClusterLayout.replicas(exp)) all.addAll(plan.selections().values());
        all.addAll(ScheduledSwaps.selections(exp)); // their jars too, so a bad switch is refused before the run
        return all;
    }

    /** Every plugin choice of the experiment (each replica group's, each switch's), each once: what a run instantiates. */
    public static List<PluginSelection> choices(Experiment exp) {
        var all = new java.util.LinkedHashSet<PluginSelection>();
        for (var plan : ClusterLayout.replicas(exp)) all.addAll(plan.selections().values());
        all.addAll(ScheduledSwaps.selections(exp));
        return List.copyOf(all);
    }

    /** The plugin choices of the experiment, per kind. */
    public static Map<PluginKind, PluginSelection> selections(Experiment exp) {
        var map = new EnumMap<PluginKind, PluginSelection>(PluginKind.class);
        exp.pluginsByKind().forEach((kind, spec) -> map.put(kind, new PluginSelection(kind, spec.name(), spec.params(),
                "plugins." + kind.id() + ".params")));
        return map;
    }

    /** The experiment's SLOs, for the recorder and the summary. */
    public static Slo slo(Experiment exp) {
        var s = exp.slo();
        return new Slo(opt(s.get("ttft_ms")), opt(s.get("tpot_ms")), opt(s.get("e2el_ms")));
    }

    private static OptionalDouble opt(Double v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    private static ResultSink sink(RunRecorder recorder, OutputsFile outputs, int every) {
        return new ResultSink() {
            @Override public void request(RequestRow row) { recorder.request(row); }
            @Override public void event(EventRow row) { recorder.event(row); }
            @Override public void output(long requestId, int[] tokens) { if (outputs != null) outputs.write(requestId, tokens); }
            @Override public void cluster(ClusterRow row) { recorder.cluster(row); }

            @Override
            public boolean wantsIteration(long iteration) {
                return every != 0 && iteration % every == 0;
            }

            @Override
            public void iteration(IterationRow row) {
                // the recorder writes the scheduler's measured time only when asked (RecorderOptions.schedulerCpu)
                if (!wantsIteration(row.iteration())) return;
                recorder.iteration(row);
            }
        };
    }

    /** A map in the order written ({@link Json#ordered}). */
    static LinkedHashMap<String, Object> ordered(Object... keysAndValues) {
        return Json.ordered(keysAndValues);
    }

}
