/**
 * KV memory policies. The engine owns the block pool and every block table; these policies only decide sizes,
 * what a cached prefix is, and which unreferenced cached block to reuse.
 *
 * <ul>
 *   <li>{@link servelab.api.kv.KvAllocator}: how many blocks a sequence holds for a number of tokens (paged,
 *       contiguous) and the admission watermark;</li>
 *   <li>{@link servelab.api.kv.PrefixCache}: an index from token content to blocks that hold it;</li>
 *   <li>{@link servelab.api.kv.Eviction}: the order in which cached, unreferenced blocks are reused.</li>
 * </ul>
 *
 * <p>Version 2.0.0 (incompatible with 1.0.0): {@code PrefixCache.match} takes a block limit and {@code insert}
 * says whether the block was indexed; {@code Eviction} learns of every use, with the block's depth, so LRU, LFU,
 * FIFO, SLRU and cost-aware policies can all be written against it.
 *
 * {@snippet :
 * KvAllocator paged = new KvAllocator() {
 *     public int blocksToHold(SeqView seq, int tokens, int blockSizeTokens) {
 *         return Math.ceilDiv(tokens, blockSizeTokens);   // only what is computed, one block at a time
 *     }
 * };
 * }
 */
@Version("2.0.0")
package servelab.api.kv;

import org.osgi.annotation.versioning.Version;
