package servelab.bench.routing;

import servelab.api.route.BlockHashes;
import servelab.common.collect.LongSet;

/**
 * What the benchmark's replicas cache, indexed two ways, as a cluster could answer {@code cachedPrefixBlocks}:
 * {@link PerReplica} (each replica's own hash set, walked per replica: one probe per matched block plus one, the
 * way a replica's prefix cache or an event-fed mirror of it is read) and {@link Shared} (one index from block hash to
 * the set of replicas holding it, walked once per request for all replicas, as Dynamo's KV indexer does). The
 * shared table is its own open-addressing layout rather than the common collections' map, because keeping a key
 * and its holder bits in one slot is what makes a probe one cache line.
 */
sealed interface CachedBlocks permits CachedBlocks.PerReplica, CachedBlocks.Shared {

    void add(int replica, long hash);

    /** Leading blocks of {@code blocks} that {@code replica} holds. */
    int leading(int replica, BlockHashes blocks);

    /** Per replica: an open-addressing set of hashes each. */
    final class PerReplica implements CachedBlocks {
        private final LongSet[] sets;

        PerReplica(int replicas, int blocksPerReplica) {
            sets = new LongSet[replicas];
            for (int r = 0; r < replicas; r++) sets[r] = new LongSet(blocksPerReplica);
        }

        @Override
        public void add(int replica, long hash) {
            sets[replica].add(hash);
        }

        @Override
        public int leading(int replica, BlockHashes blocks) {
            var set = sets[replica];
            int i = 0;
            for (int n = blocks.count(); i < n && set.contains(blocks.hash(i)); ) i++;
            return i;
        }
    }

    /**
     * Shared: hash -> bitset of holders, one slot of {@code 1 + words} longs (key, then the holder bits) so a probe
     * touches one cache line. The first query for a request walks its blocks once, narrowing the set of replicas
     * that still match, and records where each drops out; the other replicas' queries for the same request read
     * that record. Key 0 marks an empty slot (the benchmark's hashes are never 0; {@code add} checks).
     */
    final class Shared implements CachedBlocks {
        private final int words;
        private final int stride;
        private final long[] table;
        private final int mask;
        private final long[] alive;
        private final int[] overlap;
        private BlockHashes last;

        Shared(int replicas, int distinctBlocks) {
            words = (replicas + 63) >>> 6;
            stride = 1 + words;
            int capacity = Integer.highestOneBit(Math.max(16, distinctBlocks * 2 - 1)) << 1;
            table = new long[capacity * stride];
            mask = capacity - 1;
            alive = new long[words];
            overlap = new int[replicas];
        }

        @Override
        public void add(int replica, long hash) {
            if (hash == 0) throw new IllegalArgumentException("hash 0 marks an empty slot");
            int i = home(hash);
            while (table[i * stride] != 0 && table[i * stride] != hash) i = (i + 1) & mask;
            table[i * stride] = hash;
            table[i * stride + 1 + (replica >>> 6)] |= 1L << replica;
            last = null;
        }

        @Override
        public int leading(int replica, BlockHashes blocks) {
            if (blocks != last) {
                walk(blocks);
                last = blocks;
            }
            return overlap[replica];
        }

        /** The table offset of {@code hash}'s slot, or -1. */
        private int find(long hash) {
            if (hash == 0) return -1;
            for (int i = home(hash); ; i = (i + 1) & mask) {
                long key = table[i * stride];
                if (key == hash) return i * stride;
                if (key == 0) return -1;
            }
        }

        private void walk(BlockHashes blocks) {
            int replicas = overlap.length;
            for (int w = 0; w < words; w++) alive[w] = w < words - 1 || (replicas & 63) == 0 ? -1L : (1L << (replicas & 63)) - 1;
            int n = blocks.count();
            boolean any = true;
            for (int i = 0; i < n && any; i++) {
                int at = find(blocks.hash(i));
                any = false;
                for (int w = 0; w < words; w++) {
                    long keep = at < 0 ? 0 : alive[w] & table[at + 1 + w];
                    for (long gone = alive[w] & ~keep; gone != 0; gone &= gone - 1) {
                        overlap[(w << 6) + Long.numberOfTrailingZeros(gone)] = i;
                    }
                    alive[w] = keep;
                    any |= keep != 0;
                }
            }
            for (int w = 0; w < words; w++) {
                for (long still = alive[w]; still != 0; still &= still - 1) overlap[(w << 6) + Long.numberOfTrailingZeros(still)] = n;
            }
        }

        private int home(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }
}
