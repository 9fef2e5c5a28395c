package servelab.serve.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.experiment.ExecutorKind;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.install.VectorModule;
import servelab.serve.ServeSession;
import servelab.serve.ServeSpec;

/** {@code servelab serve}: the experiment's engine and plugins behind an OpenAI-compatible HTTP server. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve an experiment's engine (its replicas, router and plugins) over an OpenAI-compatible",
                "HTTP API: POST /v1/completions and /v1/chat/completions (streaming or not), GET /v1/models,",
                "/health and /metrics (Prometheus, vLLM's metric names). executor: emulated (the default here:",
                "the profile's cost model paced on the wall clock, placeholder tokens) or model (--model FILE.gguf).",
                "The experiment's serve section: serve.host (default 127.0.0.1; another address needs",
                "serve.api_key), serve.port (default 8000), serve.api_key, serve.model_name, serve.max_model_len,",
                "serve.max_body_bytes, serve.max_pending, serve.stream_buffer, serve.retry_after_s,",
                "serve.write_timeout_s (a streaming client that takes no bytes for that long is cut off),",
                "serve.otlp_endpoint (an OTLP/HTTP collector that request spans are posted to).",
                "Every request is recorded to the run folder (requests/iterations/events tables, trace.jsonl that",
                "`servelab run` replays). Plugins swap while it serves: jars dropped into the plugins directory,",
                "`servelab ctl --run DIR switch ...`. Stops on Ctrl-C (or after --duration).",
                "Example: servelab serve exp.yaml --set serve.port=8080 --set replicas=4"})
public final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT.yaml", description = "experiment file (omitted: all defaults)")
    Path experimentFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", converter = servelab.runtime.cli.KeyValueConverter.class, description = "override a key, e.g. --set serve.port=8080")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--model", paramLabel = "FILE.gguf", description = "serve a GGUF Llama model (implies executor: model)")
    Path modelFile;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default runs/NAME-serve-TIMESTAMP)")
    Path out;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long (default: until Ctrl-C)")
    Double duration;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "directory of plugin bundle jars, watched "
            + "while serving (default: the build's target/plugins, or $SERVELAB_PLUGINS)")
    Path pluginsDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var all = new ArrayList<>(overrides);
        if (modelFile != null) all.addAll(List.of("model.path=" + modelFile, "executor=model"));
        var serve = new ServeSpec[] {ServeSpec.DEFAULTS};
        String where = experimentFile == null ? "experiment" : experimentFile.toString();
        var exp = ExperimentFile.load(experimentFile, all, "serve", node -> serve[0] = ServeSpec.read(node, where));
        var err = spec.commandLine().getErr();
        if (exp.executor() == ExecutorKind.SIMULATED) { // the default of `run`: a virtual clock cannot serve
            all.add("executor=emulated");
            exp = ExperimentFile.load(experimentFile, all, "serve", node -> { });
        }
        if (exp.executor() == ExecutorKind.MODEL) VectorModule.ensure(); // before anything is bound or written
        var runDir = out != null ? out : servelab.runtime.cli.DefaultFolders.of("runs", exp.name() + "-serve-");
        var stop = new CountDownLatch(1);
        ServeSession started;
        try {
            started = ServeSession.start(exp, serve[0], runDir, plugins(), null);
        } catch (RuntimeException | java.io.IOException e) { // a port in use: no folder of a server that never started
            if (out == null) servelab.runtime.cli.DefaultFolders.discardIfEmpty(runDir);
            throw e;
        }
        try (var session = started) {
            var hook = Thread.ofPlatform().unstarted(() -> {
                stop.countDown();
                try {
                    session.close();
                    var out = spec.commandLine().getOut(); // a Ctrl-C is serve's usual stop: its results are whole
                    out.printf("stopped; results in %s%n", runDir);
                    out.flush();
                } catch (Exception e) {
                    err.println("servelab serve: " + e.getMessage());
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            var stdout = spec.commandLine().getOut();
            stdout.printf("serving %s (%s executor, %d replica%s) on %s; run folder %s%n", session.model(),
                    exp.executor().id(), exp.replicas(), exp.replicas() == 1 ? "" : "s",
                    baseUrl(serve[0].host(), session.port()), runDir);
            stdout.flush();
            if (duration != null) stop.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
            else stop.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 0; // the hook closes the session
            }
        }
        spec.commandLine().getOut().printf("stopped; results in %s%n", runDir);
        return 0;
    }

    private Path plugins() {
        if (pluginsDir != null) return pluginsDir;
        var env = System.getenv("SERVELAB_PLUGINS");
        if (env != null && !env.isBlank()) return Path.of(env);
        var home = System.getProperty("servelab.home");
        return (home == null ? Path.of(".") : Path.of(home)).resolve("target/plugins");
    }

    /** The API's base URL as a client types it: an IPv6 address in brackets, no host as the loopback address. */
    public static String baseUrl(String host, int port) {
        String h = host == null || host.isBlank() ? "127.0.0.1" : host.strip();
        if (h.contains(":") && !h.startsWith("[")) h = "[" + h + "]";
        return "http://" + h + ":" + port + "/v1";
    }

}
