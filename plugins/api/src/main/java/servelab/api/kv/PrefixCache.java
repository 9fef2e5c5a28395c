package servelab.api.kv;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An index from token content to the device KV blocks that hold it, so a new sequence can reuse a computed
 * prefix instead of recomputing it. Only full blocks are indexed. The engine owns the blocks: it pins the blocks a
 * match returns, publishes blocks as they fill up, and tells the index when it evicts one; the index never frees
 * or allocates memory.
 *
 * <p>Content arrives as {@link TokenBlocks}: a sequence's full blocks with chained keys (each block's key mixes its
 * parent's key and its own tokens, as vLLM's automatic prefix caching does) and the tokens themselves, so an index
 * can verify content on a hit and a key collision never gives a false hit.
 *
 * <p>Called on the engine's thread only. State complexity belongs in the implementation's Javadoc.
 */
@ConsumerType
public interface PrefixCache {
    /**
     * Finds the longest cached prefix of {@code blocks}, looking at most at its first {@code maxBlocks} blocks.
     * The engine may already know a prefix: blocks {@code [0, from)} are cached in {@code blockIds[0, from)}
     * (it re-matches a waiting sequence every step, and nothing it matched has been evicted since), so only
     * blocks from {@code from} on need looking at. Must not change which blocks are indexed.
     *
     * @param from     leading blocks already known to match (0 for a fresh match)
     * @param blockIds in: the known prefix's block ids; out: device block ids of all matched blocks, in order
     * @return number of leading blocks matched, {@code from} to {@code maxBlocks}
     */
    int match(TokenBlocks blocks, int from, int maxBlocks, int[] blockIds);

    /**
     * Publishes block {@code index} of {@code blocks}, just computed into device block {@code blockId}.
     *
     * @return true when the index now maps that content to {@code blockId}; false when it already maps the same
     *         content to another block (the engine then keeps {@code blockId} private to its sequence)
     */
    boolean insert(TokenBlocks blocks, int index, int blockId);

    /** The engine evicted {@code blockId} (an indexed block) to reuse its memory: forget it. */
    void evicted(int blockId);
}
