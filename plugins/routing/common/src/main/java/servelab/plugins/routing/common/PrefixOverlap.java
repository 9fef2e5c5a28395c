package servelab.plugins.routing.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.route.BlockHashes;
import servelab.api.route.ReplicaView;

/**
 * Where a cache-aware router learns a replica's cached prefix: {@code precise} asks the view (the replica's own cache
 * events, as of the view's snapshot: llm-d's precise mode, Dynamo with KV events); {@code estimated} keeps, per
 * replica, the blocks of the requests this router sent there, least recently used first out beyond
 * {@code estimate_blocks} (llm-d's estimated mode, SGLang's approximate radix tree, Dynamo without KV events).
 * One instance per router; it is the router's private state.
 */
public final class PrefixOverlap {
    /** The {@code prefix_source} parameter. */
    public static ParamSpec sourceParam(String defaultValue) {
        return ParamSpec.ofChoice("prefix_source", defaultValue, List.of("precise", "estimated"),
                "precise: the view's prefix-cache contents; estimated: what this router sent to each replica");
    }

    /** The {@code estimate_blocks} parameter. */
    public static ParamSpec estimateParam() {
        return ParamSpec.ofInt("estimate_blocks", 100_000, 1, 100_000_000,
                "estimated mode: blocks remembered per replica (least recently used forgotten first)");
    }

    private final boolean estimated;
    private final int estimateBlocks;
    private final Map<String, LruBlockSet> sent = new HashMap<>();

    public PrefixOverlap(boolean estimated, int estimateBlocks) {
        this.estimated = estimated;
        this.estimateBlocks = estimateBlocks;
    }

    /** From the {@code prefix_source} and {@code estimate_blocks} parameters. */
    public static PrefixOverlap from(Params params) {
        return new PrefixOverlap(params.getString("prefix_source").equals("estimated"), params.getInt("estimate_blocks"));
    }

    public boolean isEstimated() {
        return estimated;
    }

    /** Leading blocks of {@code blocks} cached on {@code replica}. Precise: the view's cost; estimated: O(matched). */
    public int overlap(ReplicaView replica, BlockHashes blocks) {
        if (blocks.count() == 0) return 0;
        if (!estimated) return replica.cachedPrefixBlocks(blocks);
        var set = sent.get(replica.name());
        return set == null ? 0 : set.leadingMatches(blocks);
    }

    /** Blocks {@code replica} is believed to cache in all (SGLang's tree size). */
    public int cachedBlocks(ReplicaView replica) {
        if (!estimated) return replica.prefixCacheBlocks();
        var set = sent.get(replica.name());
        return set == null ? 0 : set.size();
    }

    /** Records that {@code blocks} were sent to {@code replica}; only the estimated mode remembers. O(count). */
    public void routed(ReplicaView replica, BlockHashes blocks) {
        if (!estimated || blocks.count() == 0) return;
        var set = sent.computeIfAbsent(replica.name(), k -> new LruBlockSet(estimateBlocks));
        for (int i = 0, n = blocks.count(); i < n; i++) set.touch(blocks.hash(i));
    }
}
