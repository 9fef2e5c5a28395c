package servelab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.kv.PrefixCache;
import servelab.api.kv.TokenBlocks;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;
import servelab.plugins.caching.prefix.RadixTreePrefixCache;

/**
 * Prefix-cache speed: one 24-block request (16-token blocks) against a cache that already indexes 100,000 blocks.
 * The cache is built from 24-block sequences of which a third start with one of 64 shared "system prompts" of 1 to
 * 8 blocks, so the tree has both wide and deep parts. Each invocation takes the next of 1,024 prepared requests,
 * whose first {@code hitBlocks} blocks are cached and the rest new.
 *
 * <ul>
 *   <li>{@code lookup}: {@code match} only.</li>
 *   <li>{@code lookupInsert}: {@code match}, {@code insert} of each block that missed, then {@code evicted} of those
 *       blocks, tail first, so every invocation finds the same 100,000-block cache. The eviction is included: in a
 *       full cache every new block costs one, so this is an upper bound on lookup + insert alone.</li>
 * </ul>
 * Block keys are computed when the request is prepared, as the engine's token view computes and keeps them per
 * sequence. Sample mode: every invocation is timed, so the JSON has medians and tails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx1g"})
public class PrefixCacheBenchmark {
    private static final int BLOCK_TOKENS = 16;
    private static final int REQUEST_BLOCKS = 24;
    private static final int CACHED_BLOCKS = 100_000;
    private static final int REQUESTS = 1024;

    @Param({"hash-block", "radix"})
    public String cache;

    @Param({"0", "12", "24"})
    public int hitBlocks;

    private PrefixCache index;
    private final List<Blocks> requests = new ArrayList<>();
    private final int[] ids = new int[REQUEST_BLOCKS];
    private int next;

    @Setup
    public void fill() {
        PluginFactory<PrefixCache> factory = cache.equals("radix") ? new RadixTreePrefixCache() : new HashBlockPrefixCache();
        index = factory.create(Params.defaults(factory.descriptor().params()));
        var rng = new SplittableRandom(42);
        var systemPrompts = new ArrayList<int[]>();
        for (int i = 0; i < 64; i++) systemPrompts.add(randomTokens(rng, (1 + rng.nextInt(8)) * BLOCK_TOKENS));
        var cached = new ArrayList<int[]>();
        int blockId = 0;
        while (blockId < CACHED_BLOCKS) {
            var shared = rng.nextInt(3) == 0 ? systemPrompts.get(rng.nextInt(systemPrompts.size())) : new int[0];
            var tokens = randomTokens(rng, REQUEST_BLOCKS * BLOCK_TOKENS);
            System.arraycopy(shared, 0, tokens, 0, shared.length);
            var blocks = new Blocks(tokens);
            for (int b = 0; b < REQUEST_BLOCKS && blockId < CACHED_BLOCKS; b++) {
                if (index.insert(blocks, b, blockId)) blockId++;
            }
            cached.add(tokens);
        }
        cached.removeLast(); // possibly cut short
        for (int r = 0; r < REQUESTS; r++) {
            var tokens = randomTokens(rng, REQUEST_BLOCKS * BLOCK_TOKENS);
            System.arraycopy(cached.get(rng.nextInt(cached.size())), 0, tokens, 0, hitBlocks * BLOCK_TOKENS);
            var request = new Blocks(tokens);
            int matched = index.match(request, 0, REQUEST_BLOCKS, ids);
            if (matched != hitBlocks) throw new IllegalStateException("request " + r + " matched " + matched + " blocks");
            requests.add(request);
        }
    }

    @Benchmark
    public int lookup() {
        return index.match(nextRequest(), 0, REQUEST_BLOCKS, ids);
    }

    @Benchmark
    public int lookupInsert() {
        var request = nextRequest();
        int matched = index.match(request, 0, REQUEST_BLOCKS, ids);
        for (int b = matched; b < REQUEST_BLOCKS; b++) index.insert(request, b, CACHED_BLOCKS + b);
        for (int b = REQUEST_BLOCKS - 1; b >= matched; b--) index.evicted(CACHED_BLOCKS + b);
        return matched;
    }

    private Blocks nextRequest() {
        var request = requests.get(next);
        next = (next + 1) % REQUESTS;
        return request;
    }

    private static int[] randomTokens(SplittableRandom rng, int n) {
        var tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = rng.nextInt(128_256); // Llama 3's vocabulary
        return tokens;
    }

    /** A request's tokens with chained block keys, computed once (as the engine's token view keeps them). */
    private static final class Blocks implements TokenBlocks {
        private final int[] tokens;
        private final long[] keys = new long[REQUEST_BLOCKS];

        Blocks(int[] tokens) {
            this.tokens = tokens;
            long parent = 0x2545F4914F6CDD1DL;
            for (int b = 0; b < REQUEST_BLOCKS; b++) {
                long h = 0;
                for (int j = 0; j < BLOCK_TOKENS; j++) h = h * 0x100000001B3L + tokens[b * BLOCK_TOKENS + j];
                keys[b] = parent = mix(parent ^ mix(h));
            }
        }

        @Override public int count() { return REQUEST_BLOCKS; }
        @Override public int blockSizeTokens() { return BLOCK_TOKENS; }
        @Override public long key(int index) { return keys[index]; }
        @Override public int token(int index, int offset) { return tokens[index * BLOCK_TOKENS + offset]; }

        private static long mix(long h) {
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            h *= 0xC4CEB9FE1A85EC53L;
            h ^= h >>> 33;
            return h;
        }
    }
}
