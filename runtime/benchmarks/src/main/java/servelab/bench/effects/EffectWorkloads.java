package servelab.bench.effects;

import java.nio.file.Path;
import java.util.List;

import servelab.datasets.TraceRequest;

/**
 * The four request streams the effects replay, each with the words the report uses for it. Loads are set against
 * the replica's capacity on the default profile (about 24 requests per second with continuous batching on the
 * Azure conversation slice).
 *
 * @param saturating      far above what either batcher serves (acceptance 1)
 * @param nearCapacity    about 90% of capacity (acceptance 2)
 * @param overloadedBatch above the capacity of a replica limited to 32 sequences, so a queue builds and its order
 *                        matters (acceptance 3)
 * @param twoTenants      every fifth request from tenant "light", the rest from "heavy" (4x the load), at a load
 *                        that keeps both backlogged under a fair scheduler (acceptance 4)
 * @param sharedPrefixes  prefix-structured requests above capacity, so a queue builds whose order decides what the
 *                        prefix cache still holds when a request is admitted (acceptance 5)
 */
record EffectWorkloads(Stream saturating, Stream nearCapacity, Stream overloadedBatch, Stream twoTenants,
                       Stream sharedPrefixes) {

    /** Requests and how to name them. */
    record Stream(List<TraceRequest> requests, String description) {}

    /** The shared Azure 2023 conversation slice, time-scaled to each load. */
    static EffectWorkloads azure(Path file) {
        String azure = "Azure conv 2023, first ";
        return new EffectWorkloads(
                new Stream(Workloads.azureConv(file, 1500, 100), azure + "1,500 requests at 100 req/s"),
                new Stream(Workloads.azureConv(file, 1500, 22), azure + "1,500 requests at 22 req/s"),
                new Stream(Workloads.azureConv(file, 1500, 12), azure + "1,500 requests at 12 req/s"),
                new Stream(Workloads.twoTenants(Workloads.azureConv(file, 2000, 100), 4),
                        azure + "2,000 requests at 100 req/s"),
                mooncakeOrSynthetic(42));
    }

    /**
     * Seeded synthetic streams, for when the shared traces are absent: conversation-like lengths for acceptance 1
     * and 2, decode-heavy requests whose prompt tracks the output for 3 (so output length is the job size and the
     * prompt a fair proxy), moderate prompts for 4 (see {@link Workloads}).
     */
    static EffectWorkloads synthetic(long seed) {
        String s = "synthetic (seed " + seed + "), ";
        return new EffectWorkloads(
                new Stream(Workloads.syntheticConv(1500, 100, seed), s + "conversation-like, 1,500 requests at 100 req/s"),
                new Stream(Workloads.syntheticConv(1500, 22, seed), s + "conversation-like, 1,500 requests at 22 req/s"),
                new Stream(Workloads.correlatedLengths(1500, 25, seed), s + "decode-heavy, 1,500 requests at 25 req/s"),
                new Stream(Workloads.twoTenants(Workloads.moderatePrompts(2000, 100, seed), 4),
                        s + "moderate prompts, 2,000 requests at 100 req/s"),
                syntheticShared(seed));
    }

    /** The first 1,500 Mooncake requests at 6 req/s, or synthetic shared prompts when the trace is absent. */
    static Stream mooncakeOrSynthetic(long seed) {
        return Workloads.shared("mooncake_fast25/conversation_trace.jsonl")
                .map(f -> new Stream(Workloads.firstOf(f, 1500, 6), "Mooncake FAST'25 conversation trace, first 1,500 requests at 6 req/s"))
                .orElseGet(() -> syntheticShared(seed));
    }

    static Stream syntheticShared(long seed) {
        return new Stream(Workloads.sharedPrompts(1500, 30, seed), "synthetic (seed " + seed + "), conversation-like "
                + "with 64 shared 2,048-token system prompts on 90% of requests, 1,500 requests at 30 req/s");
    }

    /** The shared slice when present, else the synthetic streams with seed 42. */
    static EffectWorkloads best() {
        return Workloads.shared(Workloads.AZURE_CONV).map(EffectWorkloads::azure).orElseGet(() -> synthetic(42));
    }
}
