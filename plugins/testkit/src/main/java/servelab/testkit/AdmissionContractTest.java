package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.route.Admission;

/**
 * What every admission rule promises, on seeded random requests and replica loads: a decision for every request,
 * a rejection always with a reason (it becomes the request's recorded error), and the same decisions from two
 * fresh instances.
 */
public abstract class AdmissionContractTest extends PluginContract<Admission> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.ADMISSION;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void decidesEveryRequestAndGivesAReasonForEveryRejection(long seed) {
        for (var params : parameterSets()) {
            var admission = create(params);
            var cluster = new FakeCluster(seed);
            for (int call = 0; call < 200; call++) {
                var decision = admission.admit(cluster.request(), cluster.replicas(16));
                assertNotNull(decision, params + ", call " + call);
                if (decision instanceof Admission.Reject r) assertFalse(r.reason().isBlank(), params + ", call " + call);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesDecideTheSame(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var a = new FakeCluster(seed);
            var b = new FakeCluster(seed);
            for (int call = 0; call < 100; call++) {
                var replicas = a.replicas(8);
                b.replicas(8);
                assertEquals(first.admit(a.request(), replicas), second.admit(b.request(), replicas), "call " + call);
            }
        }
    }
}
