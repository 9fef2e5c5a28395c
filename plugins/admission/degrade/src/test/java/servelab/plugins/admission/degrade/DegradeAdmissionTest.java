package servelab.plugins.admission.degrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;
import servelab.plugins.routing.common.testing.RequestSnapshot;
import servelab.testkit.AdmissionContractTest;
import servelab.api.PluginFactory;

class DegradeAdmissionTest {
    private static final DegradeAdmission FACTORY = new DegradeAdmission();
    private static final RequestSnapshot LONG = RequestSnapshot.of(1, 100, 1000);

    private static Admission admission(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("admission 'degrade'", FACTORY.descriptor().params(), raw));
    }

    /** Two big replicas with {@code waiting} each, and a small one in group "small". */
    private static List<ReplicaView> cluster(int waiting) {
        return List.of(ReplicaSnapshot.idle(0).withQueue(waiting, 4), ReplicaSnapshot.idle(1).withQueue(waiting, 4),
                ReplicaSnapshot.idle(2).withGroup("small"));
    }

    @Nested
    class Contract extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("load_threshold", 5, "max_tokens", 12));
        }
    }

    @Test
    void belowTheThresholdNothingChanges() {
        assertSame(Admission.ADMIT, admission(Map.of()).admit(LONG, cluster(7)));
    }

    @Test
    void underLoadCapsTheOutput() {
        // given: no group, so every replica counts: 8 waiting on each of the big ones (threshold 8), a 1,000-token
        // output limit, cap 256
        var big = cluster(8).subList(0, 2);
        var decision = admission(Map.of()).admit(LONG, big);
        assertEquals(new Admission.Degrade(OptionalInt.of(256), Optional.empty(),
                "load 8.0 waiting per replica >= 8.0: max_tokens 1000 capped at 256"), decision);
        // a request already within the cap is admitted as it is
        assertSame(Admission.ADMIT, admission(Map.of()).admit(RequestSnapshot.of(2, 100, 200), big));
        // with the idle small replica counted too the mean is 16 / 3 < 8: admitted unchanged
        assertSame(Admission.ADMIT, admission(Map.of()).admit(LONG, cluster(8)));
    }

    @Test
    void underLoadSendsToTheCheaperGroup() {
        // given: group "small" configured and available; no cap
        var decision = admission(Map.of("group", "small", "max_tokens", 0)).admit(LONG, cluster(9));
        assertEquals(Admission.Degrade.toGroup("small", "load 9.0 waiting per replica >= 8.0: sent to group small"),
                decision);
    }

    @Test
    void aGroupWithNoAvailableReplicaDegradesByTheCapAlone() {
        // given: group "small" is not among the replicas shown (the runtime shows the available ones: partitioned,
        // crashed or never started); it threw, which stopped the run
        var big = cluster(9).stream().filter(r -> !r.group().equals("small")).toList();
        var decision = admission(Map.of("group", "small")).admit(LONG, big);
        assertEquals(new Admission.Degrade(java.util.OptionalInt.of(256), java.util.Optional.empty(),
                "load 9.0 waiting per replica >= 8.0: max_tokens 1000 capped at 256"), decision);
    }
}
