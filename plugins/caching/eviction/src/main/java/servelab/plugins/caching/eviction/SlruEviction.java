package servelab.plugins.caching.eviction;

import java.util.BitSet;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * Segmented LRU (Karedla, Love and Wherry, "Caching Strategies to Improve Disk System Performance", IEEE Computer
 * 27(3), 1994): a filled block enters the probationary segment; a prefix hit moves it to the protected segment;
 * when the protected segment outgrows its share of the cache, its least recently used blocks go back to the
 * most recently used end of the probationary one. Victims come from the probationary segment, least recently used
 * first, and from the protected one only when no probationary block is released. One-off prompts therefore pass
 * through probation without displacing prefixes that were hit at least once.
 *
 * <p><b>Where ours differs.</b> Segments hold blocks, referenced or not, but only released blocks can be evicted,
 * so each segment keeps its released blocks in a heap and the protected segment also keeps all its blocks in
 * recency order (for demotion). The cache's size is the number of blocks filled and not yet evicted, which the
 * policy counts, since it is never told the pool's size; the protected share is enforced when a hit promotes a
 * block. Demoted blocks enter probation stamped with the promoting hit's time, keeping their order among
 * themselves.
 *
 * <p>Cost: O(log n) per use, release, acquire and eviction, n = blocks in the cache.
 */
@Component(service = PluginFactory.class)
public final class SlruEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "slru", "1.0.0",
            "Segmented LRU: probationary and protected segments; a hit protects a block (Karedla et al. 1994).",
            List.of(ParamSpec.ofDouble("protected_fraction", 0.8, 0.0, 1.0,
                    "largest share of the cached blocks the protected segment may hold")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Eviction create(Params params) {
        return new Policy(params.getDouble("protected_fraction"));
    }

    static final class Policy extends HeapEviction {
        private final double protectedFraction;
        private final BitSet isProtected = new BitSet();
        /** Every protected block, released or not, by last use: the least recent is demoted first. */
        private final BlockHeap protectedByRecency = new BlockHeap();
        /** Released protected blocks; {@link #candidates} holds the released probationary ones. */
        private final BlockHeap protectedCandidates = new BlockHeap();

        Policy(double protectedFraction) {
            this.protectedFraction = protectedFraction;
        }

        @Override
        long keyAfterUse(int block, int depth, boolean fill, long now) {
            if (fill) return now; // probationary
            if (isProtected.get(block)) {
                protectedByRecency.remove(block);
            } else {
                isProtected.set(block);
            }
            protectedByRecency.add(block, now, 0);
            long capacity = (long) (protectedFraction * indexedBlocks());
            while (protectedByRecency.size() > capacity) demote(protectedByRecency.poll(), now);
            return now;
        }

        private void demote(int block, long now) {
            boolean released = protectedCandidates.contains(block);
            if (released) protectedCandidates.remove(block);
            isProtected.clear(block);
            key.set(block, now);
            if (released) candidates.add(block, now, lastUse.get(block));
        }

        @Override
        BlockHeap heapOf(int block) {
            return isProtected.get(block) ? protectedCandidates : candidates;
        }

        @Override
        BlockHeap victimHeap() {
            return candidates.size() > 0 ? candidates : protectedCandidates;
        }

        @Override
        void forget(int block, long evictedKey) {
            if (isProtected.get(block)) protectedByRecency.remove(block);
            isProtected.clear(block);
        }
    }
}
