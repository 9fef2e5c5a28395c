package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.route.Router;

/**
 * What every router promises, on seeded random requests and cluster states (1 to 16 replicas, some unavailable):
 * the answer is the index of one of the replicas it was given, and two fresh instances route the same requests the
 * same way.
 */
public abstract class RouterContractTest extends PluginContract<Router> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.ROUTER;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void routesEveryRequestToAReplicaItWasGiven(long seed) {
        for (var params : parameterSets()) {
            var router = create(params);
            var cluster = new FakeCluster(seed);
            for (int call = 0; call < 200; call++) {
                var replicas = cluster.replicas(16);
                int chosen = router.route(cluster.request(), replicas);
                assertTrue(chosen >= 0 && chosen < replicas.size(), params + ", call " + call + ": routed to "
                        + chosen + " of " + replicas.size() + " replicas");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {6, 7, 8})
    void routesToTheIndexOfACandidateWhenSomeReplicasAreMissing(long seed) {
        // after a crash, a partition or an open breaker the engine hands over a subset, indices with gaps: a router
        // returning a position instead of replicas.get(k).index() passed this contract and stopped the run
        for (var params : parameterSets()) {
            var router = create(params);
            var cluster = new FakeCluster(seed);
            for (int call = 0; call < 200; call++) {
                var candidates = cluster.candidates(16);
                int chosen = router.route(cluster.request(), candidates);
                assertTrue(candidates.stream().anyMatch(r -> r.index() == chosen), params + ", call " + call
                        + ": routed to " + chosen + ", not the index of one of " + candidates.stream()
                        .map(r -> Integer.toString(r.index())).toList());
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesRouteTheSameWay(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var a = new FakeCluster(seed);
            var b = new FakeCluster(seed);
            for (int call = 0; call < 100; call++) {
                var replicas = a.replicas(8);
                b.replicas(8);
                assertEquals(first.route(a.request(), replicas), second.route(b.request(), replicas), "call " + call);
            }
        }
    }
}
