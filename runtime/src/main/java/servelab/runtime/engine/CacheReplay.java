package servelab.runtime.engine;

import java.util.Iterator;

import servelab.api.kv.Eviction;
import servelab.api.kv.PrefixCache;
import servelab.datasets.TraceRequest;

/**
 * A prefix cache alone, replayed over a trace in arrival order with no compute: each request looks up its prompt's
 * blocks, holds the hits, fills the rest (evicting when the cache is full), publishes them, and lets go. This is
 * how the reference hit ratios of a trace are defined, so it checks a cache and an eviction policy against them
 * without the engine's scheduling in the way, and it is fast enough to sweep cache sizes.
 *
 * <p>The trace's prefix blocks are replayed as whole blocks: a request whose last block is partial still counts
 * it (as the reference statistics do), by padding the prompt to whole trace blocks. The engine itself never
 * shares a partial block.
 */
public final class CacheReplay {

    /** What a replay found, in blocks of {@code blockSizeTokens}. */
    public record Result(long requests, long blocks, long hitBlocks, int capacityBlocks, int blockSizeTokens) {
        /** Hit blocks / looked-up blocks. */
        public double hitRatio() {
            return blocks == 0 ? 0 : (double) hitBlocks / blocks;
        }
    }

    private CacheReplay() {}

    /**
     * @param capacityBlocks  device blocks the cache may fill
     * @param blockSizeTokens tokens per block; must divide the trace's prefix block size for exact sharing
     */
    public static Result run(Iterator<TraceRequest> trace, PrefixCache cache, Eviction eviction, int capacityBlocks,
                             int blockSizeTokens) {
        var pool = new BlockPool(capacityBlocks);
        var ids = new int[16];
        long requests = 0, blocks = 0, hits = 0, now = 0;
        while (trace.hasNext()) {
            var request = padded(trace.next());
            var seq = new Sequence(request, 0);
            var tokens = new SeqTokens(seq, blockSizeTokens);
            int count = tokens.count();
            if (count > capacityBlocks) {
                throw new IllegalArgumentException("request " + request.id() + " has " + count + " blocks, more than "
                        + "the cache's " + capacityBlocks);
            }
            if (ids.length < count) ids = new int[Math.max(count, ids.length * 2)];
            now++;
            int hit = cache.match(tokens, 0, count, ids);
            for (int b = 0; b < hit; b++) {
                pool.acquire(ids[b], eviction, now);
                eviction.used(ids[b], b, now);
            }
            for (int b = hit; b < count; b++) {
                int block = pool.allocate(eviction, cache, now);
                ids[b] = block;
                if (cache.insert(tokens, b, block)) {
                    pool.markIndexed(block);
                    eviction.used(block, b, now);
                }
            }
            for (int b = count - 1; b >= 0; b--) pool.release(ids[b], eviction, now);
            requests++;
            blocks += count;
            hits += hit;
        }
        return new Result(requests, blocks, hits, capacityBlocks, blockSizeTokens);
    }

    /** The request with its prompt rounded up to whole trace prefix blocks. */
    private static TraceRequest padded(TraceRequest r) {
        if (r.prefixBlockIds().length == 0) return r;
        int tokens = r.prefixBlockIds().length * r.prefixBlockTokens();
        return new TraceRequest(r.id(), r.arrivalNanos(), Math.max(tokens, r.inputTokens()), r.outputTokens(),
                r.tenant(), r.priority(), r.prefixBlockIds(), r.prefixBlockTokens());
    }
}
