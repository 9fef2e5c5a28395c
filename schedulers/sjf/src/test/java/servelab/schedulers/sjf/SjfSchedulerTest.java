package servelab.schedulers.sjf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class SjfSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new ShortestJobFirstScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("key", "prompt"), Map.of("key", "noisy-oracle", "noise_sigma", 1.0),
                Map.of("key", "predicted"));
    }

    @Test
    void fewestOutputTokensLeftFirstTiesByArrival() {
        // given: r0 will generate 50 tokens, r1 and r2 10 each, r3 has 5 of 30 left after a preemption
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 8, 50), Seq.waiting(1, 1, 80, 10),
                Seq.waiting(2, 2, 8, 10), Seq.waiting(3, 3, 8, 30).produced(25));
        // then: r3 (5 left), r1 and r2 (10, by arrival), r0 (50); running keep their order
        assertEquals(longs(3, 1, 2, 0), waitingIds(create(Map.of()), queues));
    }

    @Test
    void thePromptKeyRanksByPromptLength() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 80, 1), Seq.waiting(1, 1, 8, 500));
        // then: the short prompt first, whatever the outputs
        assertEquals(longs(1, 0), waitingIds(create(Map.of("key", "prompt")), queues));
    }

    @Test
    void theNoisyOracleIsTheOracleWithoutNoiseAndRepeatableWithIt() {
        var queues = new FakeQueues();
        for (int i = 0; i < 40; i++) queues.waiting(Seq.waiting(i, i, 8, 1 + (i * 37) % 100));
        var oracle = waitingIds(create(Map.of()), queues);
        // then: sigma 0 is the oracle; sigma 1 reorders, the same way on every call and instance for one seed
        assertEquals(oracle, waitingIds(create(Map.of("key", "noisy-oracle", "noise_sigma", 0.0)), queues));
        var noisy = create(Map.of("key", "noisy-oracle", "noise_sigma", 1.0, "seed", 7L));
        assertNotEquals(oracle, waitingIds(noisy, queues));
        assertEquals(waitingIds(noisy, queues), waitingIds(noisy, queues));
        assertNotEquals(waitingIds(noisy, queues),
                waitingIds(create(Map.of("key", "noisy-oracle", "noise_sigma", 1.0, "seed", 8L)), queues));
    }

    @Test
    void thePredictedKeyUsesTheEnginesPredictionElseThePrompt() {
        // given: r0 is predicted to generate 5 tokens, r1 has no prediction and a 3-token prompt
        var r0 = new Seq(0, 100, 0, 0, 500, 0, 0, "default", OptionalInt.of(5));
        var r1 = new Seq(1, 3, 0, 0, 1, 1, 0, "default", OptionalInt.empty());
        var r2 = new Seq(2, 9, 0, 0, 1, 2, 0, "default", OptionalInt.empty());
        // then: r1 (prompt proxy 3), r0 (prediction 5), r2 (prompt proxy 9)
        assertEquals(longs(1, 0, 2), waitingIds(create(Map.of("key", "predicted")), new FakeQueues().waiting(r0, r1, r2)));
    }
}
