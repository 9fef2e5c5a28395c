package servelab.runtime.engine;

import servelab.api.batch.InvalidPlanException;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.runtime.record.IterationRow;

/**
 * A replica's KV memory: the device {@link BlockPool}, the {@link HostTier}, the blocks pinned by a plan's prefix
 * hits and the step's device-host copies. It is the one place the KV protocol is written: a device prefix match,
 * continued through the host tier; at admission the hit blocks are acquired (and told {@code used}) and host hits
 * reloaded; growth allocates; publishing inserts full blocks into the prefix cache ({@code markIndexed}, the host
 * tier's {@code indexed}, {@code used}); release gives blocks back tail-first. The engine and {@link CacheReplay}
 * both drive it.
 */
final class KvManager {
    private final int blockSize;
    private final BlockPool pool;
    private final HostTier host;
    /** Per block: the plan attempt in which a waiting sequence of the plan matched it. */
    private final long[] pinStamp;
    private final KvTransfers transfers = new KvTransfers();
    private final PrefixMatcher matcher;
    private KvAllocator allocator;
    private PrefixCache cache;
    private Eviction eviction;
    private long now;
    private long attempt;
    private long prefixQueryTokens;
    private long prefixHitTokens;
    private CacheEvents cacheEvents = CacheEvents.NONE;

    KvManager(int deviceBlocks, int hostBlocks, boolean offload, int blockSize) {
        this.blockSize = blockSize;
        this.host = new HostTier(hostBlocks, offload, deviceBlocks);
        this.pool = new BlockPool(deviceBlocks);
        this.pinStamp = new long[deviceBlocks];
        this.matcher = new PrefixMatcher(pool, host);
    }

    boolean hasHostTier() { return host.capacity() > 0; } // kv.host_blocks > 0: somewhere to swap to

    /** Who hears the prefix cache's contents change (a cluster's precise prefix index). */
    void onCacheEvents(CacheEvents listener) {
        this.cacheEvents = listener;
    }

    /** The policies of this step; {@code cacheKey} changes exactly when the prefix cache does. */
    void use(KvAllocator allocator, PrefixCache cache, Object cacheKey, String cacheLabel, Eviction eviction) {
        this.allocator = allocator;
        this.cache = cache;
        this.eviction = eviction;
        matcher.use(cache, cacheKey, cacheLabel);
    }

    /** The clock for the policies, and the plan attempt that stamps matches and pins. */
    void at(long now, long attempt) {
        this.now = now;
        this.attempt = attempt;
        matcher.at(attempt);
    }

    /** A new eviction policy takes over: it is handed every cached block. */
    void evictionSwapped(Eviction next) {
        pool.announceCached(next, now);
    }

    /** A new prefix cache starts cold, and so do offloaded blocks; {@code eviction} is told the cached blocks go. */
    void prefixCacheSwapped(Eviction eviction) {
        pool.dropIndex(eviction, now);
        host.dropCached();
        cacheEvents.cleared();
    }

    /**
     * The replica crashed (every sequence already dropped): the prefix cache and offloaded blocks are gone, as after
     * a swap to a cold cache, so every device block is free and uncached.
     */
    void crashed(long now) {
        this.now = now;
        if (cache == null) return; // never stepped: nothing was ever cached
        for (int b = 0; b < pool.total(); b++) if (pool.isIndexed(b)) cache.evicted(b); // the plugin forgets it too
        prefixCacheSwapped(eviction);
    }

    int blockSize() { return blockSize; }
    int total() { return pool.total(); }
    int available() { return pool.available(); }
    int used() { return pool.used(); }
    int cached() { return pool.cached(); }
    KvTransfers transfers() { return transfers; }
    long prefixQueryTokens() { return prefixQueryTokens; }
    long prefixHitTokens() { return prefixHitTokens; }

    int blocksToHold(Sequence seq, int tokens) {
        return allocator.blocksToHold(seq, tokens, blockSize);
    }

    int admissionHeadroom() {
        return allocator.admissionHeadroomBlocks(pool.total());
    }

    // --- planning ------------------------------------------------------------------------------------------------

    /** Tokens of a waiting sequence its prefix hit (device and host tier) would serve; 0 for others. */
    int computedTokens(Sequence seq) {
        return matcher.match(seq, matchLimit(seq)).reusableBlocks() * blockSize;
    }

    /** New blocks a plan item of {@code newTokens} takes from the free pool. */
    int newBlocksNeeded(Sequence seq, int newTokens) {
        if (seq.state == Sequence.State.WAITING && seq.hostBlocks == 0) {
            // a device hit is held, not allocated, but hit blocks that sit in the cache leave the free pool;
            // a host-tier hit is reloaded into a new block
            var m = matcher.match(seq, matchLimit(seq));
            int target = blocksToHold(seq, m.reusableBlocks() * blockSize + newTokens);
            int held = m.blocks + m.hostDeviceBlocks;
            return Math.max(0, target - held) + m.cachedBlocks + m.hostCachedBlocks;
        }
        return Math.max(0, blocksToHold(seq, seq.computedTokens + newTokens) - seq.blockCount);
    }

    /**
     * Blocks that become available when {@code seq} lets go of its blocks: not those shared with other sequences,
     * nor those a sequence admitted in this plan matched (they stay in use).
     */
    int freedBy(Sequence seq) {
        int freed = 0;
        for (int b = 0; b < seq.blockCount; b++) {
            int block = seq.blocks[b];
            if (pool.refCount(block) == 1 && pinStamp[block] != attempt) freed++;
        }
        return freed;
    }

    /** Memory for the whole plan: what its items need against what is free plus what its preemptions free. */
    void checkFits(PlanBuilder plan) {
        pinMatches(plan);
        int freed = 0;
        for (int i = 0; i < plan.preemptCount(); i++) freed += freedBy(plan.preempted(i));
        int needed = 0;
        for (int i = 0; i < plan.size(); i++) needed += newBlocksNeeded(plan.seq(i), plan.tokens(i));
        if (needed > pool.available() + freed) {
            throw new InvalidPlanException("plan needs " + needed + " new KV blocks but only " + pool.available()
                    + " are free and its preemptions free " + freed);
        }
    }

    private void pinMatches(PlanBuilder plan) {
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            if (seq.state != Sequence.State.WAITING) continue;
            var m = matcher.match(seq, matchLimit(seq));
            for (int b = 0; b < m.blocks; b++) pinStamp[m.ids[b]] = attempt;
            for (int j = 0; j < m.hostBlocks; j++) {
                if (m.hostSlots[j] < 0) pinStamp[~m.hostSlots[j]] = attempt;
            }
        }
    }

    /** Blocks a waiting sequence may match: at least one token is always left to compute, to sample the next. */
    private int matchLimit(Sequence seq) {
        return (seq.promptTokens() + seq.outputTokens - 1) / blockSize;
    }

    // --- committing ------------------------------------------------------------------------------------------------

    /** Starts a step's commit: its copies, and its prefix-cache figures. */
    void beginCommit() {
        transfers.clear();
        prefixQueryTokens = prefixHitTokens = 0;
        host.beginCommit(attempt);
    }

    void endCommit() {
        host.endCommit();
    }

    /** Admits a waiting sequence in token order: see {@link #admit(Sequence, int)}. */
    void admit(Sequence seq) {
        admit(seq, matchLimit(seq));
    }

    /**
     * Admits a waiting sequence: a swapped-out one gets its host slots back once {@link #grow} allocates its
     * blocks; any other holds its prefix hit (matching at most {@code maxBlocks} blocks), and its host-tier
     * continuation is kept for this step. Its computed tokens become the hit.
     */
    void admit(Sequence seq, int maxBlocks) {
        if (seq.hostBlocks > 0) {
            seq.swapInBlocks = seq.hostBlocks;
            seq.swapInOwned = true;
            seq.hostBlocks = 0;
            return;
        }
        var m = matcher.match(seq, maxBlocks); // normally done while planning; the memo makes this free
        for (int b = 0; b < m.blocks; b++) {
            int block = m.ids[b];
            pool.acquire(block, eviction, now);
            seq.addBlock(block);
            eviction.used(block, b, now);
        }
        reloadHostHit(seq, m);
        int hit = m.reusableBlocks() * blockSize;
        seq.computedTokens = hit;
        seq.publishedBlocks = m.blocks;
        seq.cachedPrefixTokens = hit;
        if (seq.firstCachedPrefixTokens < 0) seq.firstCachedPrefixTokens = hit;
        prefixQueryTokens += seq.promptTokens() + seq.outputTokens;
        prefixHitTokens += hit;
    }

    /** Holds the match continuation for this step: host slots are reloaded, device blocks held like a device hit. */
    private void reloadHostHit(Sequence seq, PrefixMatch m) {
        int n = m.hostBlocks;
        if (n == 0) return;
        if (seq.hostSlots.length < n) seq.hostSlots = new int[Math.max(n, seq.hostSlots.length * 2)];
        for (int j = 0; j < n; j++) {
            int entry = m.hostSlots[j];
            if (entry >= 0) {
                host.reload(entry);
            } else {
                pool.acquire(~entry, eviction, now);
                eviction.used(~entry, seq.blockCount + j, now);
            }
            seq.hostSlots[j] = entry;
        }
        seq.swapInBlocks = n;
        seq.swapInOwned = false;
    }

    /**
     * Grows a sequence's table to {@code targetBlocks}: an admitted match continuation first, in token order (a
     * fresh block filled by a copy for each host hit, the held block for each block still on the device), then
     * fresh blocks; a swapped-out sequence's copies back from the host go into its first blocks.
     */
    void grow(Sequence seq, int targetBlocks) {
        grow(seq, targetBlocks, false);
    }

    /**
     * {@link #grow} for a replay, which computes nothing: each block is published as soon as it joins the table,
     * so the next block's allocation already sees it in the prefix cache.
     */
    void fill(Sequence seq, int targetBlocks) {
        grow(seq, targetBlocks, true);
    }

    private void grow(Sequence seq, int targetBlocks, boolean publishEach) {
        if (seq.swapInBlocks > 0 && !seq.swapInOwned) placeHostHit(seq, publishEach);
        while (seq.blockCount < targetBlocks) {
            seq.addBlock(allocate());
            if (publishEach) publishFilled(seq);
        }
        if (seq.swapInBlocks > 0) swapIn(seq);
    }

    private void placeHostHit(Sequence seq, boolean publishEach) {
        for (int j = 0; j < seq.swapInBlocks; j++) {
            int entry = seq.hostSlots[j];
            if (entry < 0) {
                seq.addBlock(~entry);
            } else {
                int block = allocate();
                seq.addBlock(block);
                transfers.swapIn(entry, block, true);
            }
            if (publishEach) publishFilled(seq);
        }
        seq.swapInBlocks = 0;
    }

    private void publishFilled(Sequence seq) {
        seq.computedTokens = seq.blockCount * blockSize;
        publish(seq);
    }

    private void swapIn(Sequence seq) {
        int n = seq.swapInBlocks;
        if (seq.blockCount < n) {
            throw new EngineException(seq + " holds " + seq.blockCount + " blocks, too few for the " + n
                    + " blocks coming back from the host tier");
        }
        for (int j = 0; j < n; j++) {
            int slot = seq.hostSlots[j];
            transfers.swapIn(slot, seq.blocks[j], false);
            host.swapInSlot(slot);
        }
        seq.swapInBlocks = 0;
    }

    /** Offers the sequence's newly filled blocks to the prefix cache. */
    void publish(Sequence seq) {
        int full = seq.computedTokens / blockSize;
        if (seq.publishedBlocks >= full) return;
        var tokens = seq.tokens;
        for (int b = seq.publishedBlocks; b < full; b++) {
            int block = seq.blocks[b];
            if (!pool.isIndexed(block) && cache.insert(tokens, b, block)) {
                pool.markIndexed(block);
                cacheEvents.stored(block, tokens.key(b));
                host.indexed(block, tokens, b);
                eviction.used(block, b, now);
            }
        }
        seq.publishedBlocks = full;
    }

    /** Gives back a sequence's blocks tail-first, so a chain's last block becomes a candidate before its head. */
    void release(Sequence seq) {
        for (int b = seq.blockCount - 1; b >= 0; b--) pool.release(seq.blocks[b], eviction, now);
        seq.blockCount = 0;
    }

    /** A cancelled sequence gives back everything at once: device blocks, and host slots when swapped out. */
    void drop(Sequence seq) {
        release(seq);
        for (int j = 0; j < seq.hostBlocks; j++) host.dropSwapped(seq.hostSlots[j]);
        seq.hostBlocks = 0;
    }

    /** Gives back the blocks past what {@code tokens} computed tokens need (the rejected drafts' blocks). */
    void trim(Sequence seq, int tokens) {
        int keep = blocksToHold(seq, tokens);
        while (seq.blockCount > keep) pool.release(seq.blocks[--seq.blockCount], eviction, now);
    }

    /**
     * Preempts a running sequence: with {@code swap} and room in the host tier its KV-holding blocks are copied
     * there first, else it recomputes. Its blocks are released either way.
     *
     * @return whether it was swapped out
     */
    boolean preempt(Sequence seq, boolean swap) {
        int blocks = Math.min(seq.blockCount, Math.ceilDiv(seq.computedTokens, blockSize));
        boolean swapped = swap && host.canSwapOut(blocks);
        if (swapped) swapOut(seq, blocks);
        release(seq);
        if (!swapped) seq.computedTokens = 0; // recompute prompt and output so far when rescheduled
        seq.publishedBlocks = 0;
        return swapped;
    }

    /** Swap preemption: the sequence's first {@code blocks} blocks go to host slots, in order. */
    private void swapOut(Sequence seq, int blocks) {
        if (seq.hostSlots.length < blocks) seq.hostSlots = new int[Math.max(blocks, seq.hostSlots.length * 2)];
        for (int j = 0; j < blocks; j++) {
            int slot = host.swapOutSlot();
            seq.hostSlots[j] = slot;
            transfers.swapOut(seq.blocks[j], slot, false);
        }
        seq.hostBlocks = blocks;
    }

    /** A block for new content; one the pool evicted for it is first copied to the host tier when offload is on. */
    private int allocate() {
        int block = pool.allocate(eviction, cache, now);
        if (pool.evictedLast()) {
            cacheEvents.evicted(block);
            int slot = host.offload(block);
            if (slot >= 0) transfers.swapOut(block, slot, true);
        }
        return block;
    }

    IterationRow.HostKv hostRow() {
        int copies = transfers.swapOuts() + transfers.swapIns() + transfers.offloaded() + transfers.reloaded();
        if (host.capacity() == 0 && copies == 0) return IterationRow.HostKv.NONE; // most runs: one row, not one a step
        return new IterationRow.HostKv(host.capacity(), host.used(), host.cachedBlocks(), transfers.swapOuts(),
                transfers.swapIns(), transfers.offloaded(), transfers.reloaded());
    }

    /** Checks the bookkeeping (every block accounted for, reference counts equal to holders); for tests. */
    void checkInvariants(Iterable<Sequence> running, Iterable<Sequence> waiting) {
        var holders = new int[pool.total()];
        for (var seq : running) {
            for (int b = 0; b < seq.blockCount; b++) holders[seq.blocks[b]]++;
            int need = blocksToHold(seq, seq.computedTokens);
            if (seq.blockCount < need) throw new IllegalStateException(seq + " holds " + seq.blockCount + " blocks, needs " + need);
        }
        var hostHolders = new int[host.capacity()];
        for (var seq : waiting) {
            if (seq.blockCount != 0) throw new IllegalStateException(seq + " is waiting but holds blocks");
            for (int j = 0; j < seq.hostBlocks; j++) hostHolders[seq.hostSlots[j]]++;
        }
        pool.checkInvariants(holders);
        host.checkInvariants(hostHolders);
    }

    /** Checks that every running sequence holds exactly the blocks its computed tokens need; for tests. */
    void checkExactHolding(Iterable<Sequence> running) {
        for (var seq : running) {
            int need = blocksToHold(seq, seq.computedTokens);
            if (seq.blockCount != need) {
                throw new IllegalStateException(seq + " holds " + seq.blockCount + " blocks, its tokens need " + need);
            }
        }
    }
}
