package servelab.plugins.caching.prefix;

import servelab.common.collect.LongIntMap;
import java.util.Arrays;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.PrefixCache;
import servelab.api.kv.TokenBlocks;

/**
 * Hash-block prefix caching, vLLM's automatic prefix caching (vLLM docs, "Automatic Prefix Caching"; Kwon et al.,
 * SOSP'23): a full block is indexed under its chained key (parent key mixed with its own tokens), so one lookup
 * per block walks a prompt's prefix; only full blocks are shared, and a partial last block is always private.
 * Like nano-vllm, a hit also compares the stored tokens, so a key collision can never return wrong content.
 *
 * <p>Cost: O(1) expected per block for match and insert (an open-addressing map), plus a token comparison per hit
 * (block size ints). Memory: one map entry and one copy of the block's tokens per indexed block.
 */
@Component(service = PluginFactory.class)
public final class HashBlockPrefixCache implements PluginFactory<PrefixCache> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.PREFIX_CACHE, "hash-block",
            "1.0.0", "Chained block hashes, full blocks only, tokens verified on a hit (vLLM automatic prefix caching).",
            List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public PrefixCache create(Params params) {
        return new Index();
    }

    static final class Index implements PrefixCache {
        private final LongIntMap byKey = new LongIntMap(1 << 12);
        private long[] keyOf = new long[1 << 12];
        private int[][] tokensOf = new int[1 << 12][];

        @Override
        public int match(TokenBlocks blocks, int from, int maxBlocks, int[] blockIds) {
            int n = Math.min(maxBlocks, blocks.count());
            for (int i = from; i < n; i++) {
                int block = byKey.get(blocks.key(i));
                if (block < 0 || !sameTokens(tokensOf[block], blocks, i)) return i;
                blockIds[i] = block;
            }
            return n;
        }

        @Override
        public boolean insert(TokenBlocks blocks, int index, int blockId) {
            long key = blocks.key(index);
            if (byKey.putIfAbsent(key, blockId) != blockId) return false; // the same content is cached elsewhere
            ensure(blockId);
            keyOf[blockId] = key;
            var tokens = new int[blocks.blockSizeTokens()];
            for (int j = 0; j < tokens.length; j++) tokens[j] = blocks.token(index, j);
            tokensOf[blockId] = tokens;
            return true;
        }

        @Override
        public void evicted(int blockId) {
            if (blockId >= tokensOf.length || tokensOf[blockId] == null) {
                throw new IllegalStateException("block " + blockId + " is not indexed");
            }
            byKey.remove(keyOf[blockId], blockId);
            tokensOf[blockId] = null;
        }

        int size() {
            return byKey.size();
        }

        private static boolean sameTokens(int[] stored, TokenBlocks blocks, int index) {
            if (stored == null || stored.length != blocks.blockSizeTokens()) return false;
            for (int j = 0; j < stored.length; j++) if (stored[j] != blocks.token(index, j)) return false;
            return true;
        }

        private void ensure(int blockId) {
            if (blockId < keyOf.length) return;
            int capacity = Math.max(blockId + 1, keyOf.length * 2);
            keyOf = Arrays.copyOf(keyOf, capacity);
            tokensOf = Arrays.copyOf(tokensOf, capacity);
        }
    }
}
