package servelab.serve;

import servelab.api.route.BlockHashes;
import servelab.api.route.RequestView;
import servelab.datasets.TraceRequest;

/** A request as the serving front's admission and routing policies see it. */
record Arrival(TraceRequest request, BlockHashes promptBlocks) implements RequestView {
    @Override public long id() { return request.id(); }
    @Override public long arrivalNanos() { return request.arrivalNanos(); }
    @Override public int promptTokens() { return request.inputTokens(); }
    @Override public int maxOutputTokens() { return request.outputTokens(); }
    @Override public int priority() { return request.priority(); }
    @Override public String tenant() { return request.tenant(); }
    /** The client's {@code user} or {@code X-Session-Id}; without either, the request is its own session. */
    @Override
    public String sessionKey() {
        return request.tenant().equals("default") ? "request:" + request.id() : request.tenant();
    }
    @Override public long decisionNanos() { return request.arrivalNanos(); }

    /** A prompt's block keys, as the replicas' prefix caches compute them from its ids. */
    record PromptBlocks(long[] keys, int blockTokens) implements BlockHashes {
        @Override public int count() { return keys.length; }
        @Override public long hash(int index) { return keys[index]; }
    }
}
