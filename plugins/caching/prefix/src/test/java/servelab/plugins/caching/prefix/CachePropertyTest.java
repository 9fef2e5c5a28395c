package servelab.plugins.caching.prefix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
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

/**
 * Random operation sequences (submit, re-match, admit, compute, finish) played by {@link CacheHarness} against
 * every prefix cache and eviction policy, invariants checked after every operation; and hash-block and radix run
 * side by side on the same operations, which must lead to the same decisions. A failure names the seed and lists
 * the operations.
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
        run(rng, blockSize, List.of(harness), "seed " + seed + ", " + cache + " + " + eviction + ", block size " + blockSize);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("policiesAndSeeds")
    void hashBlockAndRadixMakeTheSameDecisions(String eviction, long seed) {
        var rng = new SplittableRandom(seed);
        int blockSize = 1 << rng.nextInt(3);
        int capacity = 8 + rng.nextInt(32);
        var harnesses = CACHES.subList(1, CACHES.size()).stream().map(c -> harness(c, eviction, capacity)).toList();
        run(rng, blockSize, harnesses, "seed " + seed + ", hash-block vs radix + " + eviction + ", block size " + blockSize);
    }

    /** Plays the same random operations on every harness, comparing what each decided and checking invariants. */
    private static void run(SplittableRandom rng, int blockSize, List<CacheHarness> harnesses, String what) {
        var log = new ArrayList<String>();
        var history = new ArrayList<int[]>();
        try {
            for (int op = 0; op < OPERATIONS; op++) {
                String first = null;
                var choice = Operation.pick(rng, harnesses.getFirst(), blockSize, history);
                for (var h : harnesses) {
                    String outcome = choice.apply(h);
                    h.checkInvariants();
                    if (first == null) first = outcome;
                    else assertEquals(first, outcome, "caches decided differently");
                }
                log.add(first);
            }
            for (var h : harnesses) h.drain();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(what + ": " + e.getMessage() + "\noperations:\n  " + String.join("\n  ", log), e);
        }
    }

    /** One random operation, chosen by looking at the first harness and applied to each by request position. */
    private interface Operation {
        String apply(CacheHarness h);

        static Operation pick(SplittableRandom rng, CacheHarness h, int blockSize, List<int[]> history) {
            int roll = rng.nextInt(100);
            if (roll < 20 || h.waiting.isEmpty() && h.running.isEmpty()) {
                var tokens = new TestBlocks(blockSize, prompt(rng, blockSize, history));
                return x -> "submit " + x.submit(tokens).tokens;
            }
            if (roll < 35 && !h.waiting.isEmpty()) {
                int i = rng.nextInt(h.waiting.size());
                return x -> x.match(x.waiting.get(i));
            }
            if (roll < 55 && !h.waiting.isEmpty() || h.running.isEmpty()) {
                int i = rng.nextInt(h.waiting.size());
                return x -> x.admit(x.waiting.get(i));
            }
            int i = rng.nextInt(h.running.size());
            if (roll < 82) {
                int blocks = 1 + rng.nextInt(3);
                return x -> x.compute(x.running.get(i), blocks);
            }
            return x -> x.finish(x.running.get(i));
        }
    }

    /**
     * A prompt that often continues an earlier one: shares some of its tokens (whole blocks, or up to any token so
     * that sequences diverge inside a block), then new tokens from a small alphabet (so content repeats by chance)
     * or a large one.
     */
    private static int[] prompt(SplittableRandom rng, int blockSize, List<int[]> history) {
        int[] base = history.isEmpty() || rng.nextInt(4) == 0 ? new int[0] : history.get(rng.nextInt(history.size()));
        int keep = rng.nextInt(base.length + 1);
        if (rng.nextBoolean()) keep = keep / blockSize * blockSize;
        int length = Math.min(12 * blockSize, keep + 1 + rng.nextInt(5 * blockSize));
        int alphabet = rng.nextBoolean() ? 3 : 1000;
        var tokens = new int[length];
        for (int i = 0; i < length; i++) tokens[i] = i < keep ? base[i] : rng.nextInt(alphabet);
        history.add(tokens);
        if (history.size() > 40) history.removeFirst();
        return tokens;
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
