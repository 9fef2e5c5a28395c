package servelab.api.kv;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An index from token content to the KV blocks that hold it, so a new sequence can reuse a computed prefix.
 * Only full blocks are indexed. The engine pins the blocks a match returns and tells the index when it evicts
 * one; the index never frees memory itself.
 *
 * <p>Keys: the engine gives each full block of a sequence a chained content key (the parent block's key mixed
 * with this block's tokens, as vLLM's automatic prefix caching does) together with the tokens, so an index can
 * verify content on a hit and a hash collision can never give a false hit.
 */
@ConsumerType
public interface PrefixCache {
    /**
     * Finds the longest cached prefix.
     *
     * @param blocks   the sequence's full blocks, in order
     * @param blockIds output: device block ids of the matched blocks, in order
     * @return number of leading blocks matched (0 to {@code blocks.count()})
     */
    int match(TokenBlocks blocks, int[] blockIds);

    /** Publishes block {@code index} of {@code blocks}, now computed, as held in device block {@code blockId}. */
    void insert(TokenBlocks blocks, int index, int blockId);

    /** The engine reused {@code blockId} for other content: forget it. */
    void evicted(int blockId);
}
