package servelab.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.PrefixCache;
import servelab.api.kv.TokenBlocks;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.api.spec.Draft;
import servelab.api.spec.Speculator;

/** Small plugins of every kind, so the testkit's tests run each contract (and show that it can pass). */
final class Examples {
    private Examples() {}

    static <T> PluginFactory<T> factory(PluginKind kind, String name, List<ParamSpec> params, Function<Params, T> create) {
        var descriptor = new PluginDescriptor(kind, name, "1.0.0", "example " + name + " for the testkit's tests", params);
        return new PluginFactory<>() {
            @Override public PluginDescriptor descriptor() { return descriptor; }
            @Override public T create(Params p) { return create.apply(p); }
        };
    }

    static final PluginFactory<Router> LEAST_LOADED = factory(PluginKind.ROUTER, "least-loaded", List.of(), p ->
            (request, replicas) -> replicas.stream().min(Comparator.comparingInt(ReplicaView::queuedRequests))
                    .orElseThrow().index());

    static final PluginFactory<Admission> QUEUE_CAP = factory(PluginKind.ADMISSION, "queue-cap",
            List.of(ParamSpec.ofInt("max_queued", 100, 0, 1_000_000, "requests queued on every replica before a new one is refused")),
            p -> {
                int cap = p.getInt("max_queued");
                return (request, replicas) -> replicas.stream().allMatch(r -> r.queuedRequests() >= cap)
                        ? new Admission.Reject("every replica has " + cap + " or more queued requests")
                        : new Admission.Admit();
            });

    /** Repeats the last token as far as the cap allows, at most 3. */
    static final PluginFactory<Speculator> REPEAT_LAST = factory(PluginKind.SPECULATOR, "repeat-last", List.of(), p ->
            (decoding, ctx) -> {
                var drafts = new ArrayList<Draft>();
                for (var seq : decoding) {
                    int k = Math.min(3, ctx.maxDraftTokens(seq));
                    if (k <= 0) continue;
                    int last = ctx.token(seq, seq.promptTokens() + seq.outputTokens() - 1);
                    var tokens = new int[k];
                    java.util.Arrays.fill(tokens, last);
                    drafts.add(new Draft(seq.id(), tokens));
                }
                return drafts;
            });

    /** Chained key to block, content checked on a hit; O(1) per block. */
    static final PluginFactory<PrefixCache> KEY_MAP = factory(PluginKind.PREFIX_CACHE, "key-map", List.of(), p ->
            new PrefixCache() {
                private final Map<Long, Integer> blockOf = new HashMap<>();
                private final Map<Integer, Long> keyOf = new HashMap<>();
                private final Map<Integer, int[]> tokensOf = new HashMap<>();

                @Override
                public int match(TokenBlocks blocks, int from, int maxBlocks, int[] blockIds) {
                    int n = from;
                    while (n < Math.min(maxBlocks, blocks.count())) {
                        Integer b = blockOf.get(blocks.key(n));
                        if (b == null || !java.util.Arrays.equals(tokensOf.get(b), tokens(blocks, n))) break;
                        blockIds[n++] = b;
                    }
                    return n;
                }

                @Override
                public boolean insert(TokenBlocks blocks, int index, int blockId) {
                    if (blockOf.putIfAbsent(blocks.key(index), blockId) != null) return false;
                    keyOf.put(blockId, blocks.key(index));
                    tokensOf.put(blockId, tokens(blocks, index));
                    return true;
                }

                @Override
                public void evicted(int blockId) {
                    blockOf.remove(keyOf.remove(blockId));
                    tokensOf.remove(blockId);
                }

                private static int[] tokens(TokenBlocks blocks, int index) {
                    var t = new int[blocks.blockSizeTokens()];
                    for (int i = 0; i < t.length; i++) t[i] = blocks.token(index, i);
                    return t;
                }
            });
}
