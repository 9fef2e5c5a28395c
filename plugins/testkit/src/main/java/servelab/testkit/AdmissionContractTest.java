package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.route.Admission;

/**
 * What every admission rule promises, on seeded random requests and cluster states: a decision for every request,
 * a rejection or degradation always with a reason (it is recorded with the request), and the same decisions from
 * two fresh instances.
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
                String reason = switch (decision) {
                    case Admission.Admit admit -> "admitted";
                    case Admission.Reject reject -> reject.reason();
                    case Admission.Degrade degrade -> degrade.reason();
                };
                assertFalse(reason.isBlank(), params + ", call " + call + ": " + decision + " without a reason");
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
