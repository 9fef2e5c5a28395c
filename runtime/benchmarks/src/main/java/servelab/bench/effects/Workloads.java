package servelab.bench.effects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceRequest;
import servelab.datasets.synthetic.Arrivals;
import servelab.datasets.synthetic.Lengths;
import servelab.datasets.synthetic.SyntheticTrace;
import servelab.datasets.transform.TracePipeline;
import servelab.datasets.transform.TraceSource;

/**
 * The request streams the reproductions replay: a slice of the shared Azure 2023 conversation trace, compressed in
 * time to the load an effect needs, or, where the shared traces are absent, a seeded synthetic stream with the same
 * length statistics.
 */
final class Workloads {
    static final String AZURE_CONV = "azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv";

    private Workloads() {}

    /** A shared trace file: under {@link #sharedDir()}'s {@code traces}, when it is there. */
    static Optional<Path> shared(String relative) {
        var file = sharedDir().resolve("traces").resolve(relative);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The shared folder: {@code -Dservelab.sharedDir}, else {@code ../shared}. */
    static Path sharedDir() {
        return Path.of(System.getProperty("servelab.sharedDir", "../shared"));
    }

    /** The first {@code count} requests of a trace file (Mooncake, with its prefix blocks) at {@code rate} req/s. */
    static List<TraceRequest> firstOf(Path file, int count, double rate) {
        return azureConv(file, count, rate);
    }

    /**
     * The first {@code count} requests of a trace file that arrive from {@code startS} seconds of its clock on, at
     * {@code rate} req/s (another slice of the same trace).
     */
    static List<TraceRequest> sliceOf(Path file, double startS, int count, double rate) {
        try {
            return TracePipeline.of(TraceSource.of(file, ReadOptions.DEFAULT)).window(startS, Double.MAX_VALUE)
                    .first(count).targetRate(rate).renumber().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Conversation-like synthetic requests where 90% start with one of 64 shared 2,048-token system prompts: the
     * stand-in for a prefix-structured trace when the shared Mooncake trace is absent.
     */
    static List<TraceRequest> sharedPrompts(int count, double rate, long seed) {
        try {
            return TracePipeline.of(syntheticConv(count, rate, seed)).sharedPrefix(64, 2048, 0.9, 16, seed).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code count} requests of the Azure conversation slice at {@code rate} requests per second. */
    static List<TraceRequest> azureConv(Path file, int count, double rate) {
        try {
            return TracePipeline.of(TraceSource.of(file, ReadOptions.DEFAULT)).first(count).targetRate(rate).renumber()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Conversation-like synthetic requests: Poisson arrivals at {@code rate}, log-normal prompts (mean 1,238 tokens,
     * up to 8,000) and outputs (mean 221, up to 1,000), the means of the Azure 2023 conversation slice.
     */
    static List<TraceRequest> syntheticConv(int count, double rate, long seed) {
        return SyntheticTrace.of(new Arrivals.Poisson(rate), Lengths.LogNormal.ofMean(1238, 0.9, 4, 8000),
                Lengths.LogNormal.ofMean(221, 0.8, 4, 1000), count, seed).toList();
    }

    /**
     * Decode-heavy requests whose prompt tracks the output (prompt = output / 4 x a log-normal factor with sigma
     * 0.7), as when long answers follow long questions: the prompt is an informative but imperfect proxy of the
     * output, and too short for its prefill to matter. Poisson arrivals at {@code rate}; outputs log-normal, mean
     * 221, up to 1,000.
     */
    static List<TraceRequest> correlatedLengths(int count, double rate, long seed) {
        var base = SyntheticTrace.of(new Arrivals.Poisson(rate), new Lengths.Fixed(1),
                Lengths.LogNormal.ofMean(221, 0.8, 4, 1000), count, seed).toList();
        var random = new java.util.SplittableRandom(seed);
        return base.stream().map(r -> {
            int prompt = (int) Math.max(4, Math.round(r.outputTokens() / 4.0 * Math.exp(0.7 * random.nextGaussian())));
            return new TraceRequest(r.id(), r.arrivalNanos(), prompt, r.outputTokens(), r.tenant(), r.priority(),
                    r.prefixBlockIds(), r.prefixBlockTokens());
        }).toList();
    }

    /** Conversation-like requests with moderate prompts: log-normal, mean 600 tokens, up to 2,000. */
    static List<TraceRequest> moderatePrompts(int count, double rate, long seed) {
        return SyntheticTrace.of(new Arrivals.Poisson(rate), Lengths.LogNormal.ofMean(600, 0.6, 4, 2000),
                Lengths.LogNormal.ofMean(221, 0.8, 4, 1000), count, seed).toList();
    }

    /** The same requests with tenants: every {@code (heavyShare + 1)}-th request is "light", the rest "heavy". */
    static List<TraceRequest> twoTenants(List<TraceRequest> trace, int heavyShare) {
        return trace.stream().map(r -> new TraceRequest(r.id(), r.arrivalNanos(), r.inputTokens(), r.outputTokens(),
                r.id() % (heavyShare + 1) == heavyShare ? "light" : "heavy", r.priority(), r.prefixBlockIds(),
                r.prefixBlockTokens())).toList();
    }
}
