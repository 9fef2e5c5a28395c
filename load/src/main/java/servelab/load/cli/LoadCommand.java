package servelab.load.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.datasets.ReadOptions;
import servelab.datasets.transform.TracePipeline;
import servelab.datasets.transform.TraceSource;
import servelab.load.Endpoint;
import servelab.load.LoadRunner;
import servelab.load.PromptSource;
import servelab.runtime.record.Slo;

/** {@code servelab load}: a trace replayed against an OpenAI-compatible server, measured on the client side. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Replay a trace against any OpenAI-compatible server (servelab serve, vLLM, SGLang), open loop",
                "at the trace's arrival times, streaming, and write what the client measured (TTFT, ITL, E2EL by",
                "vllm bench serve's definitions) as a run folder: requests.arrow, run.json, summary.json (and the",
                "engine's tables, empty: a client sees no steps).",
                "The API key, when the server needs one, is read from OPENAI_API_KEY.",
                "Example: servelab load --target http://127.0.0.1:8000 traces/mooncake.jsonl --time-scale 0.5"})
public final class LoadCommand implements Callable<Integer> {
    /** Environment variable holding the API key, as the openai clients and vllm bench serve read it. */
    static final String KEY_ENV = "OPENAI_API_KEY";

    @Parameters(paramLabel = "TRACE", description = "any trace servelab reads (Mooncake JSONL, Azure CSV, ...)")
    Path trace;

    @Option(names = "--target", required = true, paramLabel = "URL", description = "the server, e.g. http://127.0.0.1:8000")
    URI target;

    @Option(names = "--model", description = "model name sent with each request (default: the first of GET /v1/models)")
    String model;

    @Option(names = "--api", paramLabel = "completions|chat", description = "route: /v1/completions (default) or "
            + "/v1/chat/completions")
    String api = "completions";

    @Option(names = "--no-stream", description = "non-streaming requests (TTFT is then the whole latency)")
    boolean noStream;

    @Option(names = "--time-scale", paramLabel = "FACTOR", description = "multiply arrival times (0.5 = twice the rate)")
    double timeScale = 1.0;

    @Option(names = "--rate", paramLabel = "REQ_PER_S", description = "rescale arrivals to this mean rate, keeping the "
            + "trace's burstiness (applied after --time-scale)")
    Double rate;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "send only requests arriving in the first "
            + "SECONDS (after scaling)")
    Double durationS;

    @Option(names = "--num-requests", paramLabel = "N", description = "send only the first N requests")
    Long numRequests;

    @Option(names = "--max-concurrency", paramLabel = "N", description = "at most N open requests; a request due "
            + "while N are open waits for one to end (default 0: no limit)")
    int maxConcurrency;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "per request (default 600)")
    double timeoutS = 600;

    @Option(names = "--tokenizer", paramLabel = "MODEL.gguf", description = "build prompts of exact lengths with this "
            + "GGUF's tokenizer (default: common English words, one token each in most vocabularies)")
    Path tokenizer;

    @Option(names = "--slo", converter = servelab.runtime.cli.SloText.class, paramLabel = "ttft=MS,tpot=MS,e2el=MS", description = "objectives for goodput")
    String slo;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default runs/load-TIMESTAMP)")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // bad option values are usage errors (exit 2, with the usage), found before anything is sent or written
        Endpoint.Api apiKind;
        try {
            apiKind = switch (api) {
                case "completions" -> Endpoint.Api.COMPLETIONS;
                case "chat" -> Endpoint.Api.CHAT;
                default -> throw new IllegalArgumentException("--api " + api + ": expected completions or chat");
            };
            if (!(timeScale > 0)) throw new IllegalArgumentException("--time-scale must be > 0, was " + timeScale);
            if (timeoutS <= 0) throw new IllegalArgumentException("--timeout must be > 0, was " + timeoutS);
            if (rate != null && !(rate > 0)) throw new IllegalArgumentException("--rate must be > 0, was " + rate);
            if (rate != null && timeScale != 1.0) { // --rate rescaled the arrivals after --time-scale, silently
                throw new IllegalArgumentException("give --time-scale or --rate, not both: --rate sets the rate "
                        + "whatever --time-scale did");
            }
            if (durationS != null && !(durationS > 0)) {
                throw new IllegalArgumentException("--duration must be > 0, was " + durationS);
            }
            if (numRequests != null && numRequests < 1) {
                throw new IllegalArgumentException("--num-requests must be >= 1, was " + numRequests);
            }
            new Endpoint(target, apiKind, "", Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var timeout = Duration.ofMillis((long) (timeoutS * 1000));
        var key = Optional.ofNullable(System.getenv(KEY_ENV)).filter(k -> !k.isEmpty());
        var probe = new Endpoint(target, apiKind, model == null ? "" : model, key);
        var endpoint = model != null ? probe : new Endpoint(target, apiKind,
                LoadRunner.firstModel(probe, timeout), key);
        var prompts = tokenizer == null ? PromptSource.approximate() : PromptSource.fromGguf(tokenizer);
        var pipeline = pipeline();
        var runDir = out != null ? out : servelab.runtime.cli.DefaultFolders.of("runs", "load-");
        var info = new LinkedHashMap<String, Object>();
        info.put("kind", "load");
        info.put("target", endpoint.base().toString());
        info.put("route", apiKind == Endpoint.Api.CHAT ? "/v1/chat/completions" : "/v1/completions");
        info.put("model", endpoint.model());
        info.put("trace", trace.toString());
        info.put("stream", !noStream);
        info.put("time_scale", timeScale);
        info.put("rate", rate == null ? null : rate);
        info.put("duration_s", durationS);
        info.put("num_requests", numRequests);
        info.put("max_concurrency", maxConcurrency);
        info.put("timeout_s", timeoutS);   // what the client waited, and what it judged by: they were nowhere
        info.put("slo", slo);
        info.put("prompts", prompts.source());
        var runner = new LoadRunner(endpoint, !noStream, timeout, maxConcurrency, prompts,
                slo == null ? Slo.NONE : Slo.parse(slo));
        LoadRunner.Result result;
        // Ctrl-C or a TERM stops the load where it is, exit 130 or 143, as a run: say what the folder holds
        var interrupted = servelab.runtime.cli.SignalNotice.install(spec.qualifiedName(), runDir,
                spec.commandLine().getErr());
        try {
            result = runner.run(pipeline.stream(), runDir, info);
        } finally {
            interrupted.close();
        }
        var stdout = spec.commandLine().getOut();
        stdout.println(result.summary().format());
        stdout.printf("Sent %,d requests to %s in %.2f s (%,d failed; latest send %.2f ms after its arrival time); "
                + "results in %s%n", result.sent(), endpoint.requests(), result.wallS(), result.failed(),
                result.maxSendLagMs(), result.runDir());
        stdout.flush();
        return result.failed() == 0 ? 0 : 3;
    }

    /**
     * The trace as sent: its first requests, then scaled to the rate (as {@code servelab run}'s {@code first} and
     * {@code target_rate}: the rate of what is sent, not of the whole file), then cut to the duration.
     */
    private TracePipeline pipeline() {
        var p = TracePipeline.of(TraceSource.of(trace, ReadOptions.DEFAULT));
        if (numRequests != null) {
            if (numRequests < 1) throw new IllegalArgumentException("--num-requests must be >= 1, was " + numRequests);
            p = p.first(numRequests);
        }
        if (timeScale != 1.0) p = p.timeScale(timeScale);
        if (rate != null) {
            if (!(rate > 0)) throw new IllegalArgumentException("--rate must be > 0, was " + rate);
            p = p.targetRate(rate);
        }
        if (durationS != null) {
            if (!(durationS > 0)) throw new IllegalArgumentException("--duration must be > 0, was " + durationS);
            p = p.window(0, durationS);
        }
        return p;
    }
}
