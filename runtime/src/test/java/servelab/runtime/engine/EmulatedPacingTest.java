package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.runtime.exec.EmulatedExecutor;
import servelab.runtime.exec.SimulatedExecutor;

/** The emulated executor paces the simulated cost model on the wall clock, step by step. */
class EmulatedPacingTest {

    @Test
    void everyStepTakesAtLeastItsModelledTimeAndTheStepsAreTheSimulatedOnes() {
        var simulated = new TinyEngine(64, 16, Map.of()).run(TinyEngine.request(0, 0, 40, 30),
                TinyEngine.request(1, 0, 20, 30));
        var executor = new EmulatedExecutor(new SimulatedExecutor(TinyEngine.TOY_COST, 16));
        assertNull(executor.tokenSpace(), "placeholder tokens: the engine counts them, a serving front writes text");
        var engine = new TinyEngine(64, 16, Map.of(), 0, new servelab.plugins.caching.prefix.NoPrefixCache(), executor);
        long t0 = System.nanoTime();
        var emulated = engine.run(TinyEngine.request(0, 0, 40, 30), TinyEngine.request(1, 0, 20, 30));
        long wall = System.nanoTime() - t0;
        assertEquals(simulated.iterations.size(), emulated.iterations.size());
        long modelled = 0;
        for (int i = 0; i < simulated.iterations.size(); i++) {
            var s = simulated.iterations.get(i);
            var e = emulated.iterations.get(i);
            assertEquals(s.prefillTokens() + s.decodeTokens(), e.prefillTokens() + e.decodeTokens());
            assertTrue(e.endNanos() - e.startNanos() >= s.endNanos() - s.startNanos(), "step " + i + " ended early");
            modelled += s.endNanos() - s.startNanos();
        }
        assertTrue(wall >= modelled, "the run took " + wall + " ns of wall time, less than the modelled " + modelled);
        assertTrue(executor.describe().startsWith("emulated (paced on the wall clock): toy"), executor.describe());
    }
}
