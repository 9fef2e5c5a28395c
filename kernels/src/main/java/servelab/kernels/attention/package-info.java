/**
 * Causal grouped-query attention of one query token over one sequence's cached keys and values, and the caches:
 * {@link servelab.kernels.attention.ContiguousKvCache} (a fixed slot per sequence) and
 * {@link servelab.kernels.attention.PagedKvCache} (a pool of fixed-size blocks that sequences address through block
 * tables, {@link servelab.kernels.attention.KvAddress.Blocks}, as the engine's block manager hands them out).
 * {@link servelab.kernels.attention.Attention#reference} is a two-pass softmax;
 * {@link servelab.kernels.attention.Attention#tiled} a one-pass online softmax over tiles that span blocks.
 *
 * {@snippet :
 * var shape = new AttentionShape(32, 8, 64);                   // 32 query heads share 8 KV heads of 64
 * var cache = new PagedKvCache(16, 8, 64, 16, 1024);            // 16 layers, blocks of 16 positions, 1024 blocks
 * var seq = new KvAddress.Blocks(new int[] {17, 3, 250});       // positions 0-15 in block 17, 16-31 in 3, ...
 * cache.store(layer, seq, 40, k, 0, v, 0);                      // position 40 -> block 250, row 8
 * for (int g = 0; g < shape.kvHeads(); g++) {                    // token at position 40 sees positions 0..40
 *     Attention.tiled(shape, cache, layer, seq, 41, g, q, 0, out, 0);
 * }
 * }
 */
package servelab.kernels.attention;
