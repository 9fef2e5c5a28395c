package servelab.runtime.engine;

import servelab.api.kv.PrefixCache;

/**
 * Finds a waiting sequence's reusable prefix for the {@link KvManager}: the prefix cache's device hit, then its
 * continuation through the host tier. Read only: holding the blocks is the manager's admission.
 */
final class PrefixMatcher {
    private final BlockPool pool;
    private final HostTier host;
    private PrefixCache cache;
    /** Identifies the prefix cache in use: a match made with another one is stale. */
    private Object cacheKey;
    private String cacheLabel;
    private long attempt;

    PrefixMatcher(BlockPool pool, HostTier host) {
        this.pool = pool;
        this.host = host;
    }

    void use(PrefixCache cache, Object cacheKey, String cacheLabel) {
        this.cache = cache;
        this.cacheKey = cacheKey;
        this.cacheLabel = cacheLabel;
    }

    /** The plan attempt a match is made for: within one, a sequence's match is computed once. */
    void at(long attempt) {
        this.attempt = attempt;
    }

    /**
     * The prefix match of a waiting sequence for this plan attempt, memoised: schedulers, the batcher's budget and
     * the commit all see the same blocks.
     */
    PrefixMatch match(Sequence seq, int maxBlocks) {
        var m = seq.match;
        if (m == null) m = seq.match = new PrefixMatch();
        if (m.stamp == attempt) return m;
        m.stamp = attempt;
        if (seq.hostBlocks > 0 || seq.state != Sequence.State.WAITING) {
            m.clear();
            return m;
        }
        m.ensure(maxBlocks);
        // the last match holds up to its first block evicted since: extend it from there instead of redoing it
        int from = 0;
        if (m.cache == cacheKey) {
            int known = Math.min(m.blocks, maxBlocks);
            while (from < known && pool.generation(m.ids[from]) == m.generations[from]) from++;
        }
        int n = cache.match(seq.tokens, from, maxBlocks, m.ids);
        if (n < from || n > maxBlocks) {
            throw new EngineException(cacheLabel + " matched " + n + " blocks of " + seq + ", outside " + from + ".."
                    + maxBlocks);
        }
        int cachedBlocks = 0;
        for (int b = 0; b < n; b++) {
            int block = m.ids[b];
            if (b >= from && (block < 0 || block >= pool.total() || !pool.isIndexed(block))) {
                throw new EngineException(cacheLabel + " matched block " + block + " for " + seq
                        + ", which holds no indexed content");
            }
            if (pool.refCount(block) == 0) cachedBlocks++;
            if (b >= from) m.generations[b] = pool.generation(block);
        }
        m.blocks = n;
        m.cachedBlocks = cachedBlocks;
        m.cache = cacheKey;
        matchHost(seq, m, maxBlocks);
        return m;
    }

    /**
     * Continues a device match of {@code m.blocks} blocks through the host tier: the next block is a hit when the
     * tier holds it, or, after a host hit, when a device block still holds it (eviction takes a chain's older
     * blocks first, so its tail may outlive its head there). A hash lookup per block, stopping at the first miss.
     */
    private void matchHost(Sequence seq, PrefixMatch m, int maxBlocks) {
        int found = 0, onDevice = 0, cachedOnDevice = 0;
        if (host.cachedBlocks() > 0 && m.blocks < maxBlocks) {
            m.ensureHost(maxBlocks);
            for (int b = m.blocks; b < maxBlocks; b++) {
                int entry = host.lookup(seq.tokens, b);
                if (entry < 0) {
                    int block = found > 0 ? host.deviceLookup(seq.tokens, b) : -1;
                    if (block < 0) break;
                    if (!pool.isIndexed(block)) throw new EngineException("host tier names device block " + block
                            + " for " + seq + ", which holds no indexed content");
                    entry = ~block;
                    onDevice++;
                    if (pool.refCount(block) == 0) cachedOnDevice++;
                }
                m.hostSlots[found++] = entry;
            }
        }
        m.hostBlocks = found;
        m.hostDeviceBlocks = onDevice;
        m.hostCachedBlocks = cachedOnDevice;
    }
}
