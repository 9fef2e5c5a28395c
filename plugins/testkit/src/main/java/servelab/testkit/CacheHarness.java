package servelab.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;

import servelab.api.kv.Eviction;
import servelab.api.kv.PrefixCache;

/**
 * Plays the engine's part against one prefix cache and one eviction policy, with nothing but blocks, the way
 * the engine drives them: reference-counted blocks that are free, referenced or cached;
 * waiting requests that match (extending their last match from its first evicted block); admission that pins the
 * hits; filling that takes a free block or evicts a cached one and publishes each full block; and release,
 * tail-first. Checks are made where an operation happens (a hit's content, an eviction's victim) and by
 * {@link #checkInvariants} after it. Each operation returns a line saying what the cache and policy decided, so
 * harnesses over different caches can be compared line by line.
 */
public final class CacheHarness {
    /** One request: its tokens, the blocks it holds once admitted, and its last match while waiting. */
    public static final class Request {
        public final int id;
        public final TestBlocks tokens;
        final int[] blocks;
        int blockCount;
        final int[] matchIds;
        final int[] matchGenerations;
        int matched;
        boolean admitted;

        Request(int id, TestBlocks tokens) {
            this.id = id;
            this.tokens = tokens;
            int needed = Math.ceilDiv(tokens.length(), tokens.blockSizeTokens());
            blocks = new int[needed];
            matchIds = new int[needed];
            matchGenerations = new int[needed];
        }

        boolean isComputed() {
            return blockCount == blocks.length;
        }

        /** Blocks a match may cover: at least one token is always left to compute, as in the engine. */
        int maxMatch() {
            return (tokens.length() - 1) / tokens.blockSizeTokens();
        }
    }

    private final PrefixCache cache;
    private final Eviction eviction;
    private final IntSupplier cacheSize;
    private final int[] refCount;
    private final boolean[] indexed;
    private final int[] generation;
    /** The tokens a block's KV stands for: its sequence up to the block's end, set when the block is filled. */
    private final int[][] contentOf;
    private final int[] freeStack;
    private int freeCount;
    private int cached;
    public final List<Request> waiting = new ArrayList<>();
    public final List<Request> running = new ArrayList<>();
    private long now;
    private int nextId;

    /** @param cacheSize blocks the cache says it indexes, or null when it cannot say */
    public CacheHarness(int capacity, PrefixCache cache, Eviction eviction, IntSupplier cacheSize) {
        this.cache = cache;
        this.eviction = eviction;
        this.cacheSize = cacheSize;
        refCount = new int[capacity];
        indexed = new boolean[capacity];
        generation = new int[capacity];
        contentOf = new int[capacity][];
        freeStack = new int[capacity];
        for (int b = capacity - 1; b >= 0; b--) freeStack[freeCount++] = b;
    }

    public Request submit(TestBlocks tokens) {
        var r = new Request(nextId++, tokens);
        waiting.add(r);
        return r;
    }

    /** Matches a waiting request, as each planning pass does; the extended match must equal a fresh one. */
    public String match(Request r) {
        now += 1000;
        int max = r.maxMatch();
        int from = 0;
        while (from < Math.min(r.matched, max) && generation[r.matchIds[from]] == r.matchGenerations[from]) from++;
        int n = cache.match(r.tokens, from, max, r.matchIds);
        check(n >= from && n <= max, "match of r" + r.id + " returned " + n + ", outside " + from + ".." + max);
        for (int b = 0; b < n; b++) {
            int block = r.matchIds[b];
            check(block >= 0 && block < refCount.length && indexed[block], "r" + r.id + " hit block " + block
                    + " at " + b + ", which is not indexed");
            int[] query = r.tokens.prefix((b + 1) * r.tokens.blockSizeTokens());
            check(Arrays.equals(contentOf[block], query), "r" + r.id + " hit block " + block + " at " + b
                    + ", which holds " + Arrays.toString(contentOf[block]) + ", not " + Arrays.toString(query));
            if (b >= from) r.matchGenerations[b] = generation[block];
        }
        r.matched = n;
        var fresh = new int[max];
        int m = cache.match(r.tokens, 0, max, fresh);
        check(m == n && Arrays.equals(fresh, 0, n, r.matchIds, 0, n), "r" + r.id + ": matching from " + from
                + " gave " + Arrays.toString(Arrays.copyOf(r.matchIds, n)) + ", from 0 " + Arrays.toString(Arrays.copyOf(fresh, m)));
        return "match r" + r.id + " from " + from + " " + Arrays.toString(Arrays.copyOf(r.matchIds, n));
    }

    /** Admits a waiting request: matches it and references its hits, which stop being eviction candidates. */
    public String admit(Request r) {
        String matched = match(r);
        for (int b = 0; b < r.matched; b++) {
            int block = r.matchIds[b];
            if (refCount[block]++ == 0) {
                cached--;
                eviction.acquired(block, now);
            }
            eviction.used(block, b, now);
            r.blocks[r.blockCount++] = block;
        }
        waiting.remove(r);
        running.add(r);
        r.admitted = true;
        return "admit " + matched;
    }

    /** Fills up to {@code count} more blocks of a running request, publishing the full ones; stops when memory is out. */
    public String compute(Request r, int count) {
        now += 1000;
        var out = new StringBuilder("compute r" + r.id);
        int bs = r.tokens.blockSizeTokens();
        for (int k = 0; k < count && !r.isComputed(); k++) {
            if (freeCount + cached == 0) return out.append(" out of blocks").toString();
            int index = r.blockCount;
            int block = allocate(out);
            contentOf[block] = r.tokens.prefix(Math.min((index + 1) * bs, r.tokens.length()));
            r.blocks[r.blockCount++] = block;
            if (index < r.tokens.count() && cache.insert(r.tokens, index, block)) {
                indexed[block] = true;
                eviction.used(block, index, now);
                out.append(" +").append(block);
            } else {
                out.append(" ~").append(block); // partial, or the content is cached in another block: private
            }
        }
        return out.toString();
    }

    /** A running request finishes (or is preempted): its blocks are released tail-first. */
    public String finish(Request r) {
        now += 1000;
        for (int b = r.blockCount - 1; b >= 0; b--) release(r.blocks[b]);
        r.blockCount = 0;
        running.remove(r);
        return "finish r" + r.id;
    }

    /** Finishes every request and evicts every cached block: the pool must be whole again and the cache empty. */
    public void drain() {
        for (var r : List.copyOf(running)) finish(r);
        waiting.clear();
        var out = new StringBuilder();
        while (cached > 0) freeStack[freeCount++] = evict(out);
        check(freeCount == refCount.length, "after draining, " + freeCount + " of " + refCount.length + " blocks are free");
        check(eviction.evict(now) == -1, "after draining, the policy still offers a block to evict");
        if (cacheSize != null) check(cacheSize.getAsInt() == 0, "after draining, the cache indexes " + cacheSize.getAsInt());
    }

    public void checkInvariants() {
        var holders = new int[refCount.length];
        for (var r : running) for (int b = 0; b < r.blockCount; b++) holders[r.blocks[b]]++;
        var free = new boolean[refCount.length];
        for (int i = 0; i < freeCount; i++) {
            check(!free[freeStack[i]], "block " + freeStack[i] + " is free twice");
            free[freeStack[i]] = true;
        }
        int cachedSeen = 0;
        int indexedSeen = 0;
        int used = 0;
        for (int b = 0; b < refCount.length; b++) {
            check(refCount[b] >= 0, "block " + b + " has reference count " + refCount[b]);
            check(refCount[b] == holders[b], "block " + b + " has reference count " + refCount[b] + " but "
                    + holders[b] + " running requests hold it");
            check(!free[b] || refCount[b] == 0 && !indexed[b], "block " + b + " is free but referenced or indexed");
            check(free[b] || refCount[b] > 0 || indexed[b], "block " + b + " is neither free, referenced nor cached");
            if (indexed[b]) indexedSeen++;
            if (refCount[b] == 0 && indexed[b]) cachedSeen++;
            if (refCount[b] > 0) used++;
        }
        check(cachedSeen == cached, "cached count " + cached + ", but " + cachedSeen + " blocks are cached");
        check(freeCount + cached + used == refCount.length, "free " + freeCount + " + cached " + cached + " + used "
                + used + " != capacity " + refCount.length);
        if (cacheSize != null) check(cacheSize.getAsInt() == indexedSeen, "the cache indexes "
                + cacheSize.getAsInt() + " blocks, the pool " + indexedSeen);
    }

    private int allocate(StringBuilder out) {
        int block = freeCount > 0 ? freeStack[--freeCount] : evict(out);
        refCount[block] = 1;
        return block;
    }

    /** Asks the policy for a victim, checks it is cached and unreferenced, and makes the cache forget it. */
    private int evict(StringBuilder out) {
        int block = eviction.evict(now);
        check(block >= 0 && block < refCount.length, "the policy evicted " + block + " with " + cached + " cached blocks");
        check(refCount[block] == 0, "the policy evicted block " + block + ", which is in use");
        check(indexed[block], "the policy evicted block " + block + ", which is not cached");
        cache.evicted(block);
        indexed[block] = false;
        contentOf[block] = null;
        cached--;
        generation[block]++;
        out.append(" evict ").append(block);
        return block;
    }

    private void release(int block) {
        check(refCount[block] > 0, "block " + block + " released more often than held");
        if (--refCount[block] > 0) return;
        if (indexed[block]) {
            cached++;
            eviction.released(block, now);
        } else {
            contentOf[block] = null;
            freeStack[freeCount++] = block;
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }
}
