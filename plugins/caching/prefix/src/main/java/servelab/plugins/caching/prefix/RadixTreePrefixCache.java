package servelab.plugins.caching.prefix;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.PrefixCache;

/**
 * Radix-tree prefix caching, SGLang's RadixAttention (Zheng et al., "SGLang: Efficient Execution of Structured
 * Language Model Programs", NeurIPS 2024): cached sequences form a tree whose edges are runs of tokens, so a new
 * request finds its longest cached prefix by walking its own tokens from the root, and shared prefixes are stored
 * once. It finds exactly the blocks {@code hash-block} finds, by a different route: tokens compared along a path
 * instead of one chained-key lookup per block. The tree is in {@link RadixTree}.
 *
 * <p><b>Where ours differs.</b>
 * <ul>
 *   <li><i>Paged KV.</i> SGLang's default page size is 1: each token has its own KV slot, a node's value lists
 *       its edge's slots, and a hit may end at any token. Here KV lives in blocks and only full blocks are shared,
 *       so every block boundary is a node (an edge never crosses one) holding that block's id, and a hit ends at
 *       the last such node with KV. Divergence inside a block still splits the edge at the token where it happens,
 *       but the shared part of that block is not reusable: partial blocks are always private, as in vLLM and as
 *       with SGLang's page size above 1.</li>
 *   <li><i>Reference counts.</i> SGLang keeps a lock count on each node (a running request locks its path, from
 *       its last node to the root) and evicts unlocked leaves, least recently used first. Here the engine keeps a
 *       reference count per block: a running sequence references every block of its path, so "node locked" is
 *       "its block referenced", and the engine never evicts a referenced block. Which unreferenced block goes is
 *       the eviction plugin's choice, so an inner block may go before its descendants (with {@code fifo} or
 *       {@code lfu}, say): its node then stays as a path without KV, matches stop there, and the blocks below
 *       wait, unreachable, until that block is computed and published again or they are evicted in turn.</li>
 *   <li><i>Block-at-a-time insert.</i> SGLang inserts a request's whole token list when it finishes (or a chunk
 *       ends); the engine publishes each block as it fills, naming the block, so the tree finds the parent's node
 *       through a memo of recent ends of matches and inserts (see {@link RadixTree}).</li>
 * </ul>
 */
@Component(service = PluginFactory.class)
public final class RadixTreePrefixCache implements PluginFactory<PrefixCache> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.PREFIX_CACHE, "radix", "1.0.0",
            "Token radix tree, full blocks only, matched token by token (SGLang RadixAttention).", List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public PrefixCache create(Params params) {
        return new RadixTree();
    }
}
