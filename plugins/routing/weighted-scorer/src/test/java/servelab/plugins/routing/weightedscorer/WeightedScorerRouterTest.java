package servelab.plugins.routing.weightedscorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;
import servelab.plugins.routing.common.testing.RequestSnapshot;
import servelab.testkit.RouterContractTest;
import servelab.api.PluginFactory;

class WeightedScorerRouterTest {
    private static final WeightedScorerRouter FACTORY = new WeightedScorerRouter();
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 64, 10).withBlocks(1, 2, 3, 4);

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'weighted-scorer'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("kv_weight", 1, "seed", 2));
        }
    }

    @Test
    void everyWeightZeroIsRefused() {
        // it scored every replica alike and drew at random, while saying it weighed prefix, queue and KV
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> router(Map.of("prefix_weight", 0, "queue_weight", 0, "kv_weight", 0)));
        assertTrue(e.getMessage().startsWith("parameter 'prefix_weight' is 0 and so are queue_weight and kv_weight"),
                e.getMessage());
    }

    @Test
    void weighsPrefixAgainstQueue() {
        // given: replica 0 caches all 4 blocks but has the longest waiting queue (6); replica 1 caches 2, waits 3;
        // replica 2 caches nothing and waits 0
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L, 2L, 3L, 4L).withQueue(6, 0),
                ReplicaSnapshot.idle(1).withCached(1L, 2L).withQueue(3, 0), ReplicaSnapshot.idle(2));
        // then: default weights prefix 3, queue 2: scores 3*1 + 2*0 = 3, 3*0.5 + 2*0.5 = 2.5, 0 + 2*1 = 2 -> 0
        assertEquals(0, router(Map.of()).route(REQUEST, rs));
        // with queue weight 5: 3, 1.5 + 2.5 = 4, 5 -> replica 2
        assertEquals(2, router(Map.of("queue_weight", 5)).route(REQUEST, rs));
    }

    @Test
    void kvScorePrefersFreeMemory() {
        // given: equal queues and no prefix; replica 1 has 80 of 100 blocks free, replica 0 only 10
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withFreeBlocks(10, 100),
                ReplicaSnapshot.idle(1).withFreeBlocks(80, 100));
        assertEquals(1, router(Map.of("kv_weight", 1)).route(REQUEST, rs));
    }

    @Test
    void tiesAreDrawnAtRandomButReproducibly() {
        // given: three identical idle replicas
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1), ReplicaSnapshot.idle(2));
        var router = router(Map.of("seed", 1));
        int[] counts = new int[3];
        for (int k = 0; k < 900; k++) counts[router.route(REQUEST, rs)]++;
        // then: each gets about a third (sd ~14)
        for (int c : counts) assertTrue(c > 230 && c < 370, java.util.Arrays.toString(counts));
    }

    @Test
    void aReplicaThatCannotReachTheBestScoreIsNotAskedForItsPrefix() {
        // given: replica 0 caches all 4 blocks and waits for nothing (score 3 + 2 = 5, the most possible); nine
        // others wait 5 each (queue score 0), so even all 4 blocks cached would give them 3
        var asked = new int[1];
        var rs = new java.util.ArrayList<ReplicaView>();
        rs.add(counting(ReplicaSnapshot.idle(0).withCached(1L, 2L, 3L, 4L), asked));
        for (int i = 1; i < 10; i++) rs.add(counting(ReplicaSnapshot.idle(i).withCached(1L, 2L, 3L, 4L).withQueue(5, 0), asked));
        // when
        int chosen = router(Map.of()).route(REQUEST, rs);
        // then: replica 0, after one prefix query
        assertEquals(0, chosen);
        assertEquals(1, asked[0]);
    }

    @Test
    void skippingPrefixQueriesChangesNoDecision() {
        // given: seeded random clusters of 1-12 replicas with random queues, memory, availability and caches
        var rng = new java.util.SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rng.nextInt(12);
            var rs = new java.util.ArrayList<ReplicaView>();
            for (int i = 0; i < n; i++) {
                var r = ReplicaSnapshot.idle(i).withQueue(rng.nextInt(4), rng.nextInt(4))
                        .withFreeBlocks(rng.nextInt(101), 100);
                int cached = rng.nextInt(5);
                r = r.withCached(java.util.stream.LongStream.rangeClosed(1, cached).boxed().toArray(Long[]::new));
                rs.add(rng.nextInt(6) == 0 ? r.unavailable() : r);
            }
            Map<String, Object> params = Map.of("prefix_weight", rng.nextInt(4), "queue_weight", rng.nextInt(3),
                    "kv_weight", rng.nextInt(2) * 0.5, "seed", trial);
            if (params.get("prefix_weight").equals(0) && params.get("queue_weight").equals(0)
                    && params.get("kv_weight").equals(0.0)) {
                continue; // every weight 0 is refused (a random router by another name)
            }
            // when: the router and a reference that scores every candidate fully decide three requests in turn
            var router = router(params);
            var reference = new Reference(params);
            for (int k = 0; k < 3; k++) {
                // then: the same replica, draw for draw
                assertEquals(reference.route(REQUEST, rs), router.route(REQUEST, rs), "trial " + trial + " " + params);
            }
        }
    }

    /** The scorer before prefix queries were skipped: every candidate scored in full, ties drawn the same way. */
    private static final class Reference {
        final double wp, wq, wk;
        final java.util.SplittableRandom random;

        Reference(Map<String, Object> p) {
            wp = ((Number) p.get("prefix_weight")).doubleValue();
            wq = ((Number) p.get("queue_weight")).doubleValue();
            wk = ((Number) p.get("kv_weight")).doubleValue();
            random = new java.util.SplittableRandom(((Number) p.get("seed")).longValue());
        }

        int route(servelab.api.route.RequestView request, List<ReplicaView> replicas) {
            boolean filter = replicas.stream().anyMatch(ReplicaView::isAvailable);
            int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
            for (var r : replicas) {
                if (filter && !r.isAvailable()) continue;
                min = Math.min(min, r.waitingRequests());
                max = Math.max(max, r.waitingRequests());
            }
            var blocks = request.promptBlocks();
            int chosen = -1, ties = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < replicas.size(); i++) {
                var r = replicas.get(i);
                if (filter && !r.isAvailable()) continue;
                double score = 0;
                if (wp > 0 && blocks.count() > 0) score += wp * r.cachedPrefixBlocks(blocks) / blocks.count();
                if (wq > 0) score += wq * (max == min ? 1 : (double) (max - r.waitingRequests()) / (max - min));
                if (wk > 0) score += wk * (1 - r.kvUsage());
                if (score > best) {
                    best = score;
                    chosen = i;
                    ties = 1;
                } else if (score == best && random.nextInt(++ties) == 0) {
                    chosen = i;
                }
            }
            return replicas.get(chosen).index();
        }
    }

    /** {@code view}, counting its prefix queries in {@code asked[0]}. */
    private static ReplicaView counting(ReplicaSnapshot view, int[] asked) {
        return new ReplicaView() {
            @Override public int index() { return view.index(); }
            @Override public int queuedRequests() { return view.queuedRequests(); }
            @Override public int waitingRequests() { return view.waitingRequests(); }
            @Override public int freeBlocks() { return view.freeBlocks(); }
            @Override public int totalBlocks() { return view.totalBlocks(); }
            @Override public boolean isAvailable() { return view.isAvailable(); }

            @Override
            public int cachedPrefixBlocks(servelab.api.route.BlockHashes blocks) {
                asked[0]++;
                return view.cachedPrefixBlocks(blocks);
            }
        };
    }
}
