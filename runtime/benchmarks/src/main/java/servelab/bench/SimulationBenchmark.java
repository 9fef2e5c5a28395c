package servelab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import servelab.datasets.ReadOptions;
import servelab.datasets.Traces;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;

/**
 * Simulation speed: a whole shared trace replayed with the default plugins on the default profile, trace parsing
 * included (JVM and OSGi start-up are not: they happen once per run, not per request).
 *
 * <ul>
 *   <li>{@code replay}: parse and simulate, rows counted but not written;</li>
 *   <li>{@code replayAndRecord}: the same with every row written to Arrow files, as {@code servelab run} does.</li>
 * </ul>
 * Secondary metrics per operation: sequence-iterations (one sequence in one engine step), engine steps, requests
 * and simulated seconds; divide by the primary score for rates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-XX:+UseParallelGC", "-Xmx1g"})
public class SimulationBenchmark {

    private static final Map<String, String> TRACES = Map.of(
            "azure-conv", "azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv",
            "mooncake", "mooncake_fast25/conversation_trace.jsonl");

    @Param({"azure-conv", "mooncake"})
    public String trace;

    private Path file;
    private Path outDir;

    /** What one operation did (reported per operation in SingleShotTime mode). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long sequenceIterations;
        public long engineSteps;
        public long requests;
        public double simulatedSeconds;

        @Setup(Level.Iteration)
        public void clear() {
            sequenceIterations = engineSteps = requests = 0;
            simulatedSeconds = 0;
        }
    }

    @Setup(Level.Trial)
    public void locate() throws IOException {
        file = BenchEngine.sharedTrace(TRACES.get(trace));
        outDir = Files.createTempDirectory("servelab-bench-");
    }

    @TearDown(Level.Trial)
    public void cleanUp() throws IOException {
        try (var files = Files.walk(outDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long replay(Work work) throws IOException {
        var counting = new BenchEngine.Counting();
        long end;
        try (var reader = Traces.open(file, ReadOptions.DEFAULT)) {
            end = BenchEngine.replay(reader, counting);
        }
        tally(work, counting, end);
        return end;
    }

    @Benchmark
    public long replayAndRecord(Work work) throws IOException {
        var counting = new BenchEngine.Counting();
        var runDir = Files.createTempDirectory(outDir, "run-");
        long end;
        try (var reader = Traces.open(file, ReadOptions.DEFAULT);
             var recorder = RunRecorder.create(runDir, RecorderOptions.defaults())) {
            end = BenchEngine.replay(reader, new ResultSink() {
                @Override public void request(RequestRow row) { counting.request(row); recorder.request(row); }
                @Override public void iteration(IterationRow row) { counting.iteration(row); recorder.iteration(row); }
                @Override public void event(EventRow row) { recorder.event(row); }
            });
        }
        try (var files = Files.walk(runDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        tally(work, counting, end);
        return end;
    }

    private static void tally(Work work, BenchEngine.Counting counting, long endNanos) {
        work.sequenceIterations += counting.sequenceIterations;
        work.engineSteps += counting.iterations;
        work.requests += counting.requests;
        work.simulatedSeconds += endNanos / 1e9;
    }
}
