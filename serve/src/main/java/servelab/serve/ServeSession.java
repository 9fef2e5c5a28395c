package servelab.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.otel.RequestTracer;
import servelab.otel.TraceExport;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.exec.EmulatedSetup;
import servelab.runtime.exec.ExecutorSetup;
import servelab.runtime.exec.ModelSetup;
import servelab.runtime.exec.SimulatedSetup;
import servelab.runtime.experiment.Experiment;
import servelab.runtime.experiment.ExecutorSetups;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.experiment.HostEvents;
import servelab.runtime.experiment.PluginHistory;
import servelab.runtime.host.ControlServer;
import servelab.runtime.host.HostListener;
import servelab.runtime.host.Testbed;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.report.ResilienceSummary;
import servelab.runtime.report.Summary;

/**
 * One {@code servelab serve}: the plugin host on the plugins directory (watched, and the control port open, as in
 * {@code servelab run}), the replicas on the live engine, the HTTP front, and the run folder: requests, iterations
 * and events tables through the run recorder, {@code trace.jsonl}, {@code run.json} and, when closed,
 * {@code summary.json}.
 */
public final class ServeSession implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final Path runDir;
    private final Experiment exp;
    private final Map<String, Object> info;
    private final long wallStart = System.nanoTime();
    private RunRecorder recorder;
    private LiveEngine engine;
    private LiveTrace trace;
    private RequestTracer tracer;
    private OpenAiServer server;
    private PluginHistory history;
    private String model;
    private boolean closed;

    private ServeSession(Experiment exp, Path runDir) {
        this.exp = exp;
        this.runDir = runDir;
        this.info = new LinkedHashMap<>();
    }

    /** Starts serving {@code exp} as {@code spec} says, recording to {@code runDir}. */
    public static ServeSession start(Experiment exp, ServeSpec spec, Path runDir, Path pluginsDir, HostListener listener)
            throws IOException {
        var session = new ServeSession(exp, runDir);
        try {
            session.open(spec, pluginsDir, listener);
            return session;
        } catch (Throwable e) { // an Error too (a class that fails to initialise): Felix's thread must not keep the JVM up
            session.close();
            throw e;
        }
    }

    private void open(ServeSpec spec, Path pluginsDir, HostListener listener) throws IOException {
        refuseWhatServeIgnores(exp);
        requireFreePort(spec);
        var events = new HostEvents(listener == null ? HostListener.STDERR : listener);
        var setup = keep(ExecutorSetups.open(exp));
        var testbed = keep(Testbed.start(pluginsDir, events));
        var kv = exp.kv();
        int blocks = kv.blocks() > 0 ? kv.blocks() : setup.defaultKvBlocks(kv.blockSize());
        events.clear();
        var slots = testbed.registry().createSlots(exp.replicas(), ExperimentRunner.selections(exp));
        var noGateway = "servelab serve has no gateway (retries, hedges, breakers) and no autoscaler; servelab run has";
        testbed.registry().unread(java.util.Map.of(servelab.api.PluginKind.RETRY, noGateway,
                servelab.api.PluginKind.HEDGE, noGateway, servelab.api.PluginKind.BREAKER, noGateway,
                servelab.api.PluginKind.AUTOSCALER, noGateway));
        testbed.registry().checkSwitches(exp.switchCheck(events)); // what the experiment refuses, a ctl switch does too
        testbed.watch();
        Files.createDirectories(runDir);
        recorder = RunRecorder.create(runDir, RecorderOptions.defaults().withSlo(ExperimentRunner.slo(exp)));
        var controlOptions = servelab.runtime.host.ControlFiles.options(System.getenv());
        var control = keep(new ControlServer(testbed.registry(), controlOptions,
                listener == null ? HostListener.STDERR : listener));
        servelab.runtime.host.ControlFiles.write(runDir, control.port(), controlOptions, System.getenv());
        var tokens = tokens(setup);
        model = spec.modelName() != null ? spec.modelName() : defaultModelName(setup);
        var metrics = new ServeMetrics(model);
        trace = new LiveTrace(runDir.resolve("trace.jsonl"));
        tracer = keep(RequestTracer.create(TraceExport.of(spec.otlpEndpoint(), runDir)));
        history = new PluginHistory(listener == null ? HostListener.STDERR : listener);
        var outputs = ExperimentRunner.outputs(setup, runDir); // outputs.jsonl on the model executor, as for a run
        if (outputs != null) keep(outputs);
        engine = new LiveEngine(history.wrap(fanOut(recorder, metrics, trace, outputs)), tokens, spec, trace, tracer, model,
                setup instanceof ModelSetup m ? m.requestSampling() : null);
        metrics.replicas(exp.replicas());
        engine.onProgress(metrics);
        var replicas = new ArrayList<Replica>();
        int maxLen = (int) Math.min(Integer.MAX_VALUE, (long) blocks * kv.blockSize());
        for (int r = 0; r < exp.replicas(); r++) {
            var executor = setup.executor(r, kv.blockSize(), blocks, kv.hostBlocks());
            maxLen = Math.min(maxLen, executor.maxSequenceTokens());
            int contextLen = exp.context().maxModelLen();
            if (contextLen > executor.maxSequenceTokens()) {
                throw new IllegalArgumentException("context.max_model_len " + contextLen + " is more than the model "
                        + "takes: " + executor.maxSequenceTokens() + " (the profile's serving.max_model_len, or the "
                        + "GGUF's context length)");
            }
            if (contextLen > 0) maxLen = Math.min(maxLen, contextLen);
            replicas.add(new Replica(r, new ReplicaConfig(kv.blockSize(), blocks, kv.hostBlocks(), kv.offload(),
                    contextLen, false), slots.replicas().get(r), executor, engine.sink()));
        }
        if (spec.maxModelLen() > maxLen) {
            throw new IllegalArgumentException("serve.max_model_len " + spec.maxModelLen() + " is more than this server "
                    + "can take: " + maxLen + " (the model's context, context.max_model_len and one replica's KV blocks)");
        }
        if (spec.maxModelLen() > 0) maxLen = spec.maxModelLen();
        info.putAll(servelab.runtime.experiment.RunInfo.of(exp, setup, testbed.registry(),
                r -> replicas.get(r).totalBlocks()));
        engine.start(replicas, slots.replicas(), slots.cluster(), events);
        metrics.clusterPlugins(slots.cluster());
        var kinds = new java.util.TreeSet<>(slots.cluster().currentIds().keySet());
        for (var replicaSlots : slots.replicas()) kinds.addAll(replicaSlots.currentIds().keySet());
        metrics.slotKinds(kinds);
        server = new OpenAiServer(spec, engine, tokens, metrics, model, maxLen);
        info.put("serve", Json.ordered("host", spec.host(), "port", server.port(), "model", model,
                "max_model_len", maxLen, "api_key", spec.apiKey() != null));
        recorder.writeRunJson(info);
        Files.writeString(runDir.resolve("serve.port"), server.port() + "\n");
    }

    /**
     * The experiment keys of a simulated cluster that a server has no use for: faults, an autoscaler, replica groups,
     * the simulated network and the gateway's retries and timeouts were read and then ignored without a word (a crash
     * at 100 ms never came; a group's kv_blocks was recorded in run.json and not used).
     */
    static void refuseWhatServeIgnores(Experiment exp) {
        String ignored = !exp.faults().isEmpty() ? "faults" : exp.autoscaling() != null ? "autoscaling"
                : !exp.cluster().groups().isEmpty() ? "cluster.groups"
                : !exp.cluster().network().equals(servelab.runtime.experiment.ClusterSpec.NetworkSpec.NONE) ? "cluster.network"
                : !exp.gateway().equals(servelab.runtime.experiment.GatewaySpec.DEFAULT) ? "gateway" : null;
        if (!exp.swaps().isEmpty()) { // its clock is the wall's: a switch at a time of it is ctl switch's to make
            throw new IllegalArgumentException("swaps: servelab serve runs on the wall clock, for real clients; switch "
                    + "its plugins with servelab ctl --run DIR switch KIND NAME (servelab run makes scheduled swaps)");
        }
        if (ignored != null) {
            throw new IllegalArgumentException(ignored + ": servelab serve has no simulated cluster (faults, autoscaling, "
                    + "replica groups, network delays, gateway retries and timeouts); it serves `replicas` identical "
                    + "replicas for real clients. servelab run simulates them");
        }
    }

    /**
     * The server's address can be listened on, checked before anything starts or is written: a port in use said only
     * "Address already in use" and left a run folder of a server that never started.
     */
    private static void requireFreePort(ServeSpec spec) {
        if (spec.port() == 0) return;
        try (var probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(spec.host(), spec.port()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on " + spec.host() + ":" + spec.port() + " ("
                    + e.getMessage() + "; is another server there? serve.port picks another)");
        }
    }

    private static ServedTokens tokens(ExecutorSetup setup) {
        return switch (setup) {
            case ModelSetup model -> new LlamaTokens(model.tokenizer());
            case EmulatedSetup emulated -> new PlaceholderTokens();
            case SimulatedSetup simulated -> throw new IllegalArgumentException("servelab serve needs executor: emulated "
                    + "(the cost model on the wall clock) or model (a GGUF file); simulated runs on a virtual clock");
        };
    }

    private String defaultModelName(ExecutorSetup setup) {
        if (setup instanceof ModelSetup) {
            var name = Path.of(exp.model().path()).getFileName().toString();
            return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        }
        var profile = exp.profile();
        if (profile.endsWith(".yaml") || profile.endsWith(".yml")) { // a profile file: its name, not its path
            var name = Path.of(profile).getFileName().toString();
            return name.substring(0, name.lastIndexOf('.'));
        }
        return profile;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        opened.add(resource);
        return resource;
    }

    public int port() {
        return server.port();
    }

    public String model() {
        return model;
    }

    public Path runDir() {
        return runDir;
    }

    /** The {@code System.nanoTime()} at which the run clock reads 0 (for measuring clients in this JVM). */
    public long originNanos() {
        return engine.originNanos();
    }

    /** The engine (for tests in this package). */
    LiveEngine engine() {
        return engine;
    }

    /**
     * Stops listening, cancels what is still queued (recorded as cancelled), closes the tables and writes
     * {@code run.json}'s result and {@code summary.json}.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            // the engine first: what is in flight ends as "the server stopped" and each client is told so (its
            // stream's error event, a 503) while the connections are still open; then the server stops listening
            if (engine != null) engine.close();
            if (server != null) server.close();
            if (trace != null) trace.close();
            if (tracer != null) traced();
            if (recorder != null) finishRecords();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            servelab.runtime.host.ControlFiles.delete(runDir);
            Files.deleteIfExists(runDir.resolve("serve.port"));
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception e) {
                    System.err.println("servelab serve: closing " + opened.get(i) + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * Sends the last spans and says what became of them: run.json's {@code traces}, and a warning when some never
     * reached their destination (a collector down, slow, or behind a full queue lost them without a word).
     */
    private void traced() {
        tracer.close();
        var d = tracer.delivery();
        info.put("traces", Json.ordered("destination", d.destination(), "spans", d.spans(), "delivered", d.delivered(),
                "lost", d.lost()));
        if (d.lost() > 0) {
            System.err.printf("servelab serve: warning: %,d of %,d request spans did not reach %s (run.json's traces)%n",
                    d.lost(), d.spans(), d.destination());
        }
    }

    private void finishRecords() throws IOException {
        if (history != null) {
            info.put("plugin_history", history.entries());
            info.put("faulted_plugins", history.faulted());
        }
        info.put("result", Json.ordered("wall_s", (System.nanoTime() - wallStart) / 1e9));
        recorder.writeRunJson(info);
        recorder.close();
        // read back batch by batch, as a run's: a long session must not be loaded whole; the outcome keys as a run's
        // (completed, cancelled, ...); no cluster keys, since a server keeps no time series
        var json = Summary.compute(runDir, ExperimentRunner.slo(exp)).toJson();
        ResilienceSummary.compute(runDir).ifPresent(r -> json.putAll(r.toJson()));
        Json.write(runDir.resolve("summary.json"), json);
    }

    /** Every row to the recorder, the metrics and the live trace, in that order; generated tokens to {@code outputs}. */
    private static ResultSink fanOut(RunRecorder recorder, ServeMetrics metrics, LiveTrace trace,
                                     servelab.runtime.experiment.OutputsFile outputs) {
        return new ResultSink() {
            @Override
            public void output(long requestId, int[] tokens) {
                if (outputs != null) outputs.write(requestId, tokens);
            }

            @Override
            public void request(RequestRow row) {
                recorder.request(row);
                metrics.request(row);
                trace.request(row);
            }

            @Override
            public void iteration(IterationRow row) {
                recorder.iteration(row);
                metrics.iteration(row);
            }

            @Override
            public void event(EventRow row) {
                recorder.event(row);
                metrics.event(row);
            }
        };
    }
}
