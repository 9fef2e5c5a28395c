package servelab.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.runtime.experiment.ExecutorKind;
import servelab.runtime.experiment.ExperimentFile;

/** The emulated executor: the simulated cost model, paced on the wall clock. */
class EmulatedExecutorTest {

    @Test
    void theExecutorKeyTakesEmulatedWithTheSimulatedProfile() {
        var exp = ExperimentFile.load(null, List.of("executor=emulated"));
        assertEquals(ExecutorKind.EMULATED, exp.executor());
        try (var setup = EmulatedSetup.open(new SimulatedSetup.Settings(exp.profile(), new AcceptanceModel(List.of(0.7), 1), 0))) {
            assertTrue(setup.defaultKvBlocks(16) > 0);
            var info = new java.util.LinkedHashMap<String, Object>();
            setup.executor(0, 16, 100, 0);
            setup.describe(info);
            assertEquals("emulated", info.get("backend"));
            assertEquals(exp.profile(), info.get("profile"));
        }
    }
}
