package servelab.plugins.caching.prefix;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.plugins.caching.eviction.FifoEviction;
import servelab.plugins.caching.eviction.GdsfEviction;
import servelab.plugins.caching.eviction.LfuEviction;
import servelab.plugins.caching.eviction.LruEviction;
import servelab.plugins.caching.eviction.SlruEviction;
import servelab.testkit.TestBlocks;
import servelab.testkit.CacheHarness;
import servelab.testkit.CacheOperations;

/**
 * The testkit's random operation sequences ({@link CacheOperations}) played by {@link CacheHarness} against every
 * prefix cache and eviction policy, with the caches' own sizes checked against the pool after every operation; and
 * hash-block and radix run side by side on the same operations, which must lead to the same decisions.
 */
class CachePropertyTest {
    private static final int OPERATIONS = 400;
    private static final List<String> EVICTIONS = List.of("lru", "lfu", "fifo", "slru", "gdsf");
    private static final List<String> CACHES = List.of("none", "hash-block", "radix", "radix-tiny-memo", "radix-no-memo");

    static Stream<Arguments> cachesPoliciesAndSeeds() {
        return CACHES.stream().flatMap(c -> EVICTIONS.stream().flatMap(e ->
                LongStream.rangeClosed(1, 25).mapToObj(seed -> Arguments.of(c, e, seed))));
    }

    static Stream<Arguments> policiesAndSeeds() {
        return EVICTIONS.stream().flatMap(e -> LongStream.rangeClosed(1, 60).mapToObj(seed -> Arguments.of(e, seed)));
    }

    @ParameterizedTest(name = "{0} + {1}, seed {2}")
    @MethodSource("cachesPoliciesAndSeeds")
    void invariantsHoldAfterEveryOperation(String cache, String eviction, long seed) {
        var rng = new SplittableRandom(seed);
        int blockSize = 1 << rng.nextInt(3);
        var harness = harness(cache, eviction, 8 + rng.nextInt(32));
        CacheOperations.run(rng, blockSize, OPERATIONS, List.of(harness), "seed " + seed + ", " + cache + " + " + eviction + ", block size " + blockSize);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("policiesAndSeeds")
    void hashBlockAndRadixMakeTheSameDecisions(String eviction, long seed) {
        var rng = new SplittableRandom(seed);
        int blockSize = 1 << rng.nextInt(3);
        int capacity = 8 + rng.nextInt(32);
        var harnesses = CACHES.subList(1, CACHES.size()).stream().map(c -> harness(c, eviction, capacity)).toList();
        CacheOperations.run(rng, blockSize, OPERATIONS, harnesses, "seed " + seed + ", hash-block vs radix + " + eviction + ", block size " + blockSize);
    }

    private static CacheHarness harness(String cache, String eviction, int capacity) {
        var policy = policy(eviction);
        return switch (cache) {
            case "none" -> new CacheHarness(capacity, new NoPrefixCache().create(Params.defaults(List.of())), policy, () -> 0);
            case "hash-block" -> {
                var index = new HashBlockPrefixCache.Index();
                yield new CacheHarness(capacity, index, policy, index::size);
            }
            case "radix" -> {
                var tree = new RadixTree();
                yield new CacheHarness(capacity, tree, policy, () -> sizeIfPruned(tree));
            }
            case "radix-tiny-memo" -> { // 2 slots: entries are overwritten or stale most of the time
                var tree = new RadixTree(1);
                yield new CacheHarness(capacity, tree, policy, () -> sizeIfPruned(tree));
            }
            case "radix-no-memo" -> { // every insert finds its parent by walking from the root
                var tree = new RadixTree(0);
                yield new CacheHarness(capacity, tree, policy, () -> sizeIfPruned(tree));
            }
            default -> throw new IllegalArgumentException(cache);
        };
    }

    /** The tree's block count, once it is checked that an empty tree is just the root (pruning left no path). */
    private static int sizeIfPruned(RadixTree tree) {
        if (tree.size() == 0 && tree.nodeCount() != 1) {
            throw new AssertionError("the tree indexes no block but has " + tree.nodeCount() + " nodes");
        }
        return tree.size();
    }

    private static final Map<String, Supplier<PluginFactory<Eviction>>> POLICIES = Map.of(
            "lru", LruEviction::new, "lfu", LfuEviction::new, "fifo", FifoEviction::new,
            "slru", SlruEviction::new, "gdsf", GdsfEviction::new);

    private static Eviction policy(String name) {
        var factory = POLICIES.get(name).get();
        return factory.create(Params.defaults(factory.descriptor().params()));
    }
}
