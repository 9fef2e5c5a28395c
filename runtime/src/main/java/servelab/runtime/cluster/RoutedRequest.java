package servelab.runtime.cluster;

import java.util.function.Function;

import servelab.api.route.BlockHashes;
import servelab.api.route.RequestView;
import servelab.datasets.TraceRequest;

/**
 * A request as the router and admission see it: the trace's fields, its session key, the time of the decision, and
 * its prompt's block hashes. The hashes are the chained content keys the replicas' own prefix caches use (so a
 * router can compare them with what a replica's cache events announced), computed on first use: a router that
 * never reads them never pays for them.
 */
public final class RoutedRequest implements RequestView {
    private final TraceRequest trace;
    private final String sessionKey;
    private final Function<TraceRequest, long[]> keyer;
    private final int blockTokens;
    private TraceRequest served;
    private long decisionNanos;
    private int attempt;
    private long[] keys;

    /**
     * @param keyer       the prompt's block keys as the replicas compute them
     * @param blockTokens tokens per block of those keys (the replicas' KV block size)
     */
    public RoutedRequest(TraceRequest request, String sessionKey, Function<TraceRequest, long[]> keyer, int blockTokens) {
        this.trace = request;
        this.served = request;
        this.sessionKey = sessionKey;
        this.keyer = keyer;
        this.blockTokens = blockTokens;
        this.decisionNanos = request.arrivalNanos();
    }

    /** The request to submit: the trace's, or a copy with the output capped by a degrading admission. */
    public TraceRequest request() {
        return served;
    }

    /** Caps the output at {@code maxOutputTokens} (admission degraded it); a request within the cap is unchanged. */
    public void capOutput(int maxOutputTokens) {
        if (maxOutputTokens >= served.outputTokens()) return;
        served = new TraceRequest(trace.id(), trace.arrivalNanos(), trace.inputTokens(), maxOutputTokens,
                trace.tenant(), trace.priority(), trace.prefixBlockIds(), trace.prefixBlockTokens());
    }

    public void decidedAt(long nanos) {
        decisionNanos = nanos;
    }

    /** The attempt the next decision is for (0: the first; a retry or hedged copy counts up). */
    public void attempt(int number) {
        attempt = number;
    }

    @Override public long id() { return trace.id(); }
    @Override public long arrivalNanos() { return trace.arrivalNanos(); }
    @Override public int promptTokens() { return trace.inputTokens(); }
    @Override public int maxOutputTokens() { return served.outputTokens(); }
    @Override public int priority() { return trace.priority(); }
    @Override public String tenant() { return trace.tenant(); }
    @Override public long decisionNanos() { return decisionNanos; }
    @Override public String sessionKey() { return sessionKey; }
    @Override public int attempt() { return attempt; }

    private final BlockHashes blocks = new BlockHashes() {
        @Override public int count() { return trace.inputTokens() / blockTokens; }
        @Override public int blockTokens() { return blockTokens; }
        @Override public long hash(int index) { return blockKeys()[index]; }
        @Override public String toString() { return count() + " blocks of " + blockTokens + " tokens"; }
    };

    @Override
    public BlockHashes promptBlocks() {
        return blocks;
    }

    /** Chained keys of the prompt's full blocks. The array is shared: do not change it. */
    public long[] blockKeys() {
        if (keys == null) keys = keyer.apply(trace);
        return keys;
    }

    /** Whether the block keys have been asked for (the estimated prefix index learns only then). */
    public boolean hasKeys() {
        return keys != null;
    }
}
