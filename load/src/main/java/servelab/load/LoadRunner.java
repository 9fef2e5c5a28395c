package servelab.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import servelab.datasets.TraceRequest;
import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Summary;

/**
 * Replays a trace against an endpoint, open loop: request i is sent at its arrival time whether or not earlier ones
 * have been answered (unless {@code maxConcurrency} requests are already open, in which case it waits for one to
 * end, as {@code vllm bench serve --max-concurrency} does). One dispatcher thread sleeps until each arrival and hands
 * the request to a virtual thread of its own, so sending never waits for answers and the dispatcher's only work per
 * request is a park and a thread start.
 *
 * <p>Writes the run folder a simulated run has, with what the client measured: requests.arrow (arrival = when the
 * request was sent, first token and token times = when chunks arrived, completion = end of the stream; replica,
 * scheduling and preemption columns null), empty iterations and events tables, run.json and summary.json (vLLM
 * {@code bench serve} definitions through the runtime's recorder and summary), so {@code servelab report} sets it
 * beside a simulation of the same trace.
 *
 * @param endpoint       the server
 * @param stream         streaming (SSE) requests; non-streaming ones have TTFT = E2EL
 * @param timeout        per request, from send to the end of its answer
 * @param maxConcurrency open requests at most; 0 = no limit
 * @param prompts        prompt text of each request's length
 * @param slo            objectives for goodput ({@link Slo#NONE} for none)
 */
public record LoadRunner(Endpoint endpoint, boolean stream, Duration timeout, int maxConcurrency, PromptSource prompts,
                         Slo slo) {
    /** Head start before the first arrival, so the first send does not count the dispatcher's own start. */
    private static final long LEAD_NANOS = 20_000_000L;

    public LoadRunner {
        if (maxConcurrency < 0) throw new IllegalArgumentException("--max-concurrency must be >= 0, was " + maxConcurrency);
    }

    /** What a load run did. */
    public record Result(Path runDir, Summary summary, long sent, long failed, double maxSendLagMs, double wallS) {}

    /** Sends every request of {@code trace} (in arrival order) and records the answers into {@code runDir}. */
    public Result run(Stream<TraceRequest> trace, Path runDir, Map<String, Object> runInfo) throws IOException {
        Files.createDirectories(runDir);
        var client = new RequestClient(endpoint, stream, timeout);
        var limit = maxConcurrency == 0 ? null : new Semaphore(maxConcurrency);
        var maxLag = new LongAccumulator(Math::max, 0);
        var sent = new AtomicInteger();
        var failed = new AtomicInteger();
        long origin;
        try (var recorder = RunRecorder.create(runDir, RecorderOptions.defaults().withSlo(slo))) {
            recorder.writeRunJson(runInfo); // at once: an interrupted load keeps what it was (target, trace, SLO)
            origin = System.nanoTime() + LEAD_NANOS;
            try (var senders = Executors.newVirtualThreadPerTaskExecutor(); trace) {
                for (var it = trace.iterator(); it.hasNext(); ) {
                    TraceRequest r = it.next();
                    long due = origin + r.arrivalNanos();
                    if (limit != null) limit.acquireUninterruptibly();
                    sleepUntil(due);
                    senders.execute(() -> {
                        try {
                            String prompt = prompts.prompt(r);
                            Exchange ex = client.send(prompt, r.outputTokens());
                            maxLag.accumulate(ex.sentNanos - due);
                            sent.incrementAndGet();
                            if (!ex.error.isEmpty()) failed.incrementAndGet();
                            recorder.request(row(r, ex, origin));
                        } catch (RuntimeException | Error e) {
                            // out of file descriptors or memory under overload: the request still counts, as failed
                            failed.incrementAndGet();
                            recorder.request(new RequestRow(r.id(), -1, r.tenant(), r.priority(),
                                    Math.max(0, System.nanoTime() - origin), -1, -1, -1, r.inputTokens(), 0, -1, -1,
                                    new long[0], -1, -1, -1, "client: " + e));
                        } finally {
                            if (limit != null) limit.release();
                        }
                    });
                }
            }   // close() waits for every open request
            double wallS = (System.nanoTime() - origin) / 1e9;
            var info = new LinkedHashMap<>(runInfo);
            info.put("result", Json.ordered("wall_s", wallS, "requests", sent.get(),
                    "failed", failed.get(), "max_send_lag_ms", maxLag.get() / 1e6));
            recorder.writeRunJson(info);
        }
        var summary = Summary.compute(RunResults.load(runDir), slo);
        var json = summary.toJson();
        // outcomes and availability as a run has them (requests.arrow has the outcome column; they were missing)
        servelab.runtime.report.ResilienceSummary.compute(runDir).ifPresent(r -> json.putAll(r.toJson()));
        Json.write(runDir.resolve("summary.json"), json);
        return new Result(runDir, summary, sent.get(), failed.get(), maxLag.get() / 1e6,
                (System.nanoTime() - origin) / 1e9);
    }

    /** The first model {@code GET /v1/models} lists, for runs that do not name one. */
    public static String firstModel(Endpoint endpoint, Duration timeout) throws IOException, InterruptedException {
        return RequestClient.firstModel(endpoint, timeout);
    }

    /** The request's row on the run clock (nanoseconds since the run's origin). */
    static RequestRow row(TraceRequest r, Exchange ex, long origin) {
        long arrival = ex.sentNanos - origin;
        int input = ex.usage != null ? ex.usage.promptTokens() : r.inputTokens();
        int cached = ex.usage != null ? ex.usage.cachedTokens() : -1;
        if (!ex.error.isEmpty()) {
            long first = ex.chunks > 0 ? ex.chunkNanos[0] - origin : -1;
            return new RequestRow(r.id(), -1, r.tenant(), r.priority(), arrival, -1, first, -1, input, ex.chunks,
                    cached, -1, new long[0], -1, -1, -1, ex.error);
        }
        long[] tokens = ex.tokenNanos();
        for (int i = 0; i < tokens.length; i++) tokens[i] -= origin;
        int output = ex.outputTokens();
        // a whole (non-streamed) answer brings its first token with the rest: TTFT = E2EL, token times unknown
        long first = tokens.length > 0 ? tokens[0] : output > 0 ? ex.endNanos - origin : -1;
        return new RequestRow(r.id(), -1, r.tenant(), r.priority(), arrival, -1, first, ex.endNanos - origin, input,
                output, cached, -1, tokens, -1, -1, -1, "");
    }

    /** Parks until {@code deadline}; parkNanos may wake early, so it loops. */
    private static void sleepUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    }
}
