package servelab.datasets;

import java.util.Arrays;
import java.util.Objects;

/**
 * One request of a trace, as every reader and generator yields it.
 *
 * @param id                 position in the trace after transforms (0, 1, 2, ...); unique within a run
 * @param arrivalNanos       arrival time relative to the trace's first request, nanoseconds
 * @param inputTokens        prompt length in tokens, at least 1
 * @param outputTokens       output length in tokens, at least 1 (requests are replayed to exactly this length)
 * @param tenant             user, session or tenant the request belongs to; {@code "default"} when unknown
 * @param priority           smaller is more urgent; 0 when the trace has none
 * @param prefixBlockIds     prefix-block identities (Mooncake {@code hash_ids}): block i covers prompt tokens
 *                           {@code [i * prefixBlockTokens, (i + 1) * prefixBlockTokens)}; equal ids mean equal
 *                           tokens. Empty when the trace has no prefix information.
 * @param prefixBlockTokens  tokens per prefix block (512 for Mooncake), 0 when {@code prefixBlockIds} is empty
 */
public record TraceRequest(long id, long arrivalNanos, int inputTokens, int outputTokens, String tenant,
                           int priority, long[] prefixBlockIds, int prefixBlockTokens) {

    public TraceRequest {
        Objects.requireNonNull(tenant, "TraceRequest.tenant");
        Objects.requireNonNull(prefixBlockIds, "TraceRequest.prefixBlockIds");
        if (arrivalNanos < 0) throw new IllegalArgumentException("TraceRequest.arrivalNanos must be >= 0, was " + arrivalNanos);
        if (inputTokens < 1) throw new IllegalArgumentException("TraceRequest.inputTokens must be >= 1, was " + inputTokens);
        if (outputTokens < 1) throw new IllegalArgumentException("TraceRequest.outputTokens must be >= 1, was " + outputTokens);
        if (prefixBlockIds.length > 0 && prefixBlockTokens <= 0) {
            throw new IllegalArgumentException("TraceRequest.prefixBlockTokens must be > 0 when prefix blocks are given");
        }
    }

    /** A request without tenant, priority or prefix information. */
    public static TraceRequest of(long id, long arrivalNanos, int inputTokens, int outputTokens) {
        return new TraceRequest(id, arrivalNanos, inputTokens, outputTokens, "default", 0, new long[0], 0);
    }

    /** A copy with another id and arrival time (what transforms produce). */
    public TraceRequest withIdAndArrival(long newId, long newArrivalNanos) {
        return new TraceRequest(newId, newArrivalNanos, inputTokens, outputTokens, tenant, priority, prefixBlockIds,
                prefixBlockTokens);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceRequest r && r.id == id && r.arrivalNanos == arrivalNanos
                && r.inputTokens == inputTokens && r.outputTokens == outputTokens && r.tenant.equals(tenant)
                && r.priority == priority && Arrays.equals(r.prefixBlockIds, prefixBlockIds)
                && r.prefixBlockTokens == prefixBlockTokens;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, arrivalNanos, inputTokens, outputTokens, tenant, priority,
                Arrays.hashCode(prefixBlockIds), prefixBlockTokens);
    }

    @Override
    public String toString() {
        return "TraceRequest[id=" + id + ", arrivalNanos=" + arrivalNanos + ", inputTokens=" + inputTokens
                + ", outputTokens=" + outputTokens + ", tenant=" + tenant + ", priority=" + priority
                + ", prefixBlocks=" + prefixBlockIds.length + "]";
    }
}
