package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.kv.PrefixCache;

/**
 * What every prefix cache promises, checked by {@link CacheHarness} playing the engine's part on seeded random
 * operation sequences with an LRU eviction: a match returns only blocks that were inserted and not evicted since,
 * holding exactly the matched tokens (never more than was inserted), within {@code from..maxBlocks}; extending an
 * earlier match gives what a fresh match gives; and once every block is evicted, nothing matches any more.
 */
public abstract class PrefixCacheContractTest extends PluginContract<PrefixCache> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.PREFIX_CACHE;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void matchesOnlyWhatWasInsertedThroughRandomOperations(long seed) {
        for (var params : parameterSets()) {
            var rng = new SplittableRandom(seed);
            int blockSize = 1 << rng.nextInt(3);
            var cache = create(params);
            var harness = new CacheHarness(8 + rng.nextInt(32), cache, ReferencePolicies.lruEviction(), null);
            // when: 300 operations, then every request finishes and every cached block is evicted
            var prompts = CacheOperations.run(rng, blockSize, 300, List.of(harness),
                    "seed " + seed + ", " + params + ", block size " + blockSize);
            // then: the cache forgot every block it was told of
            for (var prompt : prompts) {
                var blocks = new TestBlocks(blockSize, prompt);
                assertEquals(0, cache.match(blocks, 0, blocks.count(), new int[blocks.count()]),
                        "seed " + seed + ": a match after every block was evicted");
            }
        }
    }

    @Test
    void anEmptyCacheMatchesNothing() {
        var blocks = new TestBlocks(4, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(0, create().match(blocks, 0, blocks.count(), new int[blocks.count()]));
    }

    @Test
    void aMatchStopsAtMaxBlocks() {
        // given: two full blocks inserted
        var cache = create();
        var blocks = new TestBlocks(2, 1, 2, 3, 4, 5);
        cache.insert(blocks, 0, 7);
        cache.insert(blocks, 1, 9);
        // then: asked for at most one block, it matches at most one
        int[] ids = new int[2];
        int matched = cache.match(blocks, 0, 1, ids);
        assertTrue(matched <= 1, "matched " + matched + " blocks, at most 1 was asked for");
        if (matched == 1) assertEquals(7, ids[0]);
    }
}
