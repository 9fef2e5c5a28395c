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
 * <p>With a host tier ({@code hostBlocks > 0}) the device's evicted blocks are offloaded to it, and a lookup that
 * misses on the device goes on in the host tier, as the engine does with {@code kv.offload}: a block found there
 * counts as a hit (and as a host hit) and is copied back into a device block.
 *
 * <p>At the trace's own block size the trace's prefix blocks are replayed as whole blocks: a request whose last
 * block is partial still counts it (as the reference statistics do), by padding the prompt to whole trace blocks.
 * At any other block size, and for a request without prefix ids, the replay shares what the engine shares, whole
 * blocks only: a partial last block is one lookup that misses (padding it to a trace block made up to 31 blocks of
 * 16 tokens per request that the prompt did not have, and hits on them).
 */
public final class CacheReplay {

    /**
     * What a replay found, in blocks of {@code blockSizeTokens}.
     *
     * @param hitBlocks     blocks found, on the device or in the host tier
     * @param hostHitBlocks of those, found in the host tier (copied back to the device)
     */
    public record Result(long requests, long blocks, long hitBlocks, long hostHitBlocks, int capacityBlocks,
                         int hostCapacityBlocks, int blockSizeTokens) {
        /** Hit blocks / looked-up blocks. */
        public double hitRatio() {
            return blocks == 0 ? 0 : (double) hitBlocks / blocks;
        }
    }

    private CacheReplay() {}

    // The replay drives the engine's KvManager, so its protocol (match, host continuation, hold, fill, publish,
    // release tail-first) is the engine's own.

    /**
     * @param capacityBlocks  device blocks the cache may fill
     * @param blockSizeTokens tokens per block; must divide the trace's prefix block size for exact sharing
     */
    public static Result run(Iterator<TraceRequest> trace, PrefixCache cache, Eviction eviction, int capacityBlocks,
                             int blockSizeTokens) {
        return run(trace, cache, eviction, capacityBlocks, 0, blockSizeTokens);
    }

    /**
     * @param capacityBlocks  device blocks the cache may fill
     * @param hostBlocks      blocks of the host tier the device's evicted blocks go to (0: none)
     * @param blockSizeTokens tokens per block; must divide the trace's prefix block size for exact sharing
     */
    public static Result run(Iterator<TraceRequest> trace, PrefixCache cache, Eviction eviction, int capacityBlocks,
                             int hostBlocks, int blockSizeTokens) {
        var kv = new KvManager(capacityBlocks, hostBlocks, hostBlocks > 0, blockSizeTokens);
        kv.use(null, cache, cache, "prefix cache", eviction); // no allocator: a request holds exactly its blocks
        long requests = 0, blocks = 0, hits = 0, hostHits = 0, now = 0;
        while (trace.hasNext()) {
            var request = padded(trace.next(), blockSizeTokens);
            var seq = new Sequence(request, 0);
            seq.tokens = new SeqTokens(seq, blockSizeTokens);
            int count = seq.tokens.count();
            int partial = request.inputTokens() % blockSizeTokens == 0 ? 0 : 1; // looked up, never shared
            if (count > capacityBlocks) {
                throw new IllegalArgumentException("request " + request.id() + " has " + count + " blocks, more than "
                        + "the cache's " + capacityBlocks);
            }
            now++;
            kv.at(now, now);
            kv.beginCommit();
            kv.admit(seq, count); // the whole prompt may hit: nothing is sampled after it
            int reused = seq.computedTokens / blockSizeTokens;
            kv.fill(seq, count);
            kv.endCommit();
            kv.release(seq);
            requests++;
            blocks += count + partial;
            hits += reused;
            hostHits += kv.transfers().reloaded();
        }
        return new Result(requests, blocks, hits, hostHits, capacityBlocks, hostBlocks, blockSizeTokens);
    }

    /**
     * At the trace's block size, the request with its prompt rounded up to whole trace prefix blocks, so that its
     * partial last block counts as the reference statistics count it; otherwise the request as it is.
     */
    private static TraceRequest padded(TraceRequest r, int blockSizeTokens) {
        if (r.prefixBlockIds().length == 0 || r.prefixBlockTokens() != blockSizeTokens) return r;
        long tokens = (long) r.prefixBlockIds().length * r.prefixBlockTokens();
        if (tokens <= r.inputTokens() || tokens > Integer.MAX_VALUE) return r;
        return new TraceRequest(r.id(), r.arrivalNanos(), (int) tokens, r.outputTokens(),
                r.tenant(), r.priority(), r.prefixBlockIds(), r.prefixBlockTokens());
    }
}
