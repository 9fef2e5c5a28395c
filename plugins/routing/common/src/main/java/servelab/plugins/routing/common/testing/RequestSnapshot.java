package servelab.plugins.routing.common.testing;

import servelab.api.route.BlockHashes;
import servelab.api.route.RequestView;

/** A request view as plain values, for tests: {@code of(id, prompt, output)} and the {@code with...} copies. */
public record RequestSnapshot(long id, long arrivalNanos, long decisionNanos, int promptTokens, int maxOutputTokens,
                              int priority, String tenant, String sessionKey, BlockHashes promptBlocks)
        implements RequestView {

    public static RequestSnapshot of(long id, int promptTokens, int maxOutputTokens) {
        return new RequestSnapshot(id, 0, 0, promptTokens, maxOutputTokens, 0, "default", "default", BlockHashes.NONE);
    }

    /** Prompt blocks of 16 tokens with these hashes. */
    public RequestSnapshot withBlocks(long... hashes) {
        return new RequestSnapshot(id, arrivalNanos, decisionNanos, promptTokens, maxOutputTokens, priority, tenant,
                sessionKey, BlockHashes.of(16, hashes));
    }

    public RequestSnapshot at(long nanos) {
        return new RequestSnapshot(id, nanos, nanos, promptTokens, maxOutputTokens, priority, tenant, sessionKey,
                promptBlocks);
    }

    public RequestSnapshot withTenant(String name) {
        return new RequestSnapshot(id, arrivalNanos, decisionNanos, promptTokens, maxOutputTokens, priority, name,
                sessionKey, promptBlocks);
    }

    public RequestSnapshot withSession(String key) {
        return new RequestSnapshot(id, arrivalNanos, decisionNanos, promptTokens, maxOutputTokens, priority, tenant,
                key, promptBlocks);
    }

    public RequestSnapshot withPriority(int value) {
        return new RequestSnapshot(id, arrivalNanos, decisionNanos, promptTokens, maxOutputTokens, value, tenant,
                sessionKey, promptBlocks);
    }
}
