package servelab.plugins.routing.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;

/**
 * The router and admission contracts every bundle's test runs until the plugin testkit's contract tests take over:
 * a router returns the index of one of the views it was given and, for equal parameters (seed included), the same
 * choices; an admission policy gives a reason with every rejection or degradation. Views are random but seeded.
 */
public final class PolicyChecks {
    private PolicyChecks() {}

    /** Random cluster states: 1 to 9 replicas, some unavailable, with queues, KV use and cached blocks 1..8. */
    public static List<List<ReplicaView>> clusters(long seed, int count) {
        var random = new SplittableRandom(seed);
        var clusters = new ArrayList<List<ReplicaView>>();
        for (int c = 0; c < count; c++) {
            int n = 1 + random.nextInt(9);
            var views = new ArrayList<ReplicaView>();
            for (int i = 0; i < n; i++) {
                var r = ReplicaSnapshot.idle(i).withQueue(random.nextInt(20), random.nextInt(20))
                        .withTokens(random.nextInt(5000), random.nextInt(20000))
                        .withFreeBlocks(random.nextInt(101), 100)
                        .withCached(random.nextBoolean() ? new Long[] {1L, 2L} : new Long[] {1L})
                        .withRecentTtftMillis(random.nextInt(2000));
                views.add(random.nextInt(6) == 0 ? r.unavailable() : r);
            }
            clusters.add(List.copyOf(views));
        }
        return clusters;
    }

    /** The request of decision {@code k}: blocks 1, 2, 3 (a shared prefix), session and tenant from k. */
    public static RequestSnapshot request(int k) {
        return RequestSnapshot.of(k, 48 + k % 7, 10 + k % 5).withBlocks(1, 2, 3).at(k * 1_000_000L)
                .withSession("s" + k % 3).withTenant("t" + k % 2).withPriority(k % 3);
    }

    /**
     * Routes 500 requests over random clusters with two routers made from the same parameters.
     *
     * @throws AssertionError when an index is not one of the views' or the two routers disagree
     */
    public static void checkRouter(PluginFactory<Router> factory, Map<String, ?> raw) {
        var params = Params.validate(factory.descriptor().label(), factory.descriptor().params(), raw);
        Router a = factory.create(params);
        Router b = factory.create(params);
        var clusters = clusters(7, 500);
        for (int k = 0; k < clusters.size(); k++) {
            var views = clusters.get(k);
            int chosen = a.route(request(k), views);
            if (views.stream().noneMatch(v -> v.index() == chosen)) {
                throw new AssertionError(factory.descriptor().label() + " chose " + chosen + " of " + views.size());
            }
            int again = b.route(request(k), views);
            if (again != chosen) {
                throw new AssertionError(factory.descriptor().label() + " is not deterministic: decision " + k
                        + " was " + chosen + " then " + again);
            }
        }
    }

    /**
     * Admits 500 requests over random clusters with two policies made from the same parameters.
     *
     * @throws AssertionError when a rejection or degradation has no reason or the two policies disagree
     */
    public static void checkAdmission(PluginFactory<Admission> factory, Map<String, ?> raw) {
        var params = Params.validate(factory.descriptor().label(), factory.descriptor().params(), raw);
        Admission a = factory.create(params);
        Admission b = factory.create(params);
        var clusters = clusters(11, 500);
        for (int k = 0; k < clusters.size(); k++) {
            var decision = a.admit(request(k), clusters.get(k));
            String reason = switch (decision) {
                case Admission.Admit admit -> "admitted";
                case Admission.Reject reject -> reject.reason();
                case Admission.Degrade degrade -> degrade.reason();
            };
            if (reason == null || reason.isBlank()) throw new AssertionError("decision " + k + " has no reason");
            if (!decision.equals(b.admit(request(k), clusters.get(k)))) {
                throw new AssertionError(factory.descriptor().label() + " is not deterministic at decision " + k);
            }
        }
    }
}
