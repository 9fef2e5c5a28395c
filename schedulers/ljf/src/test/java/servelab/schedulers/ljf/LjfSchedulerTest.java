package servelab.schedulers.ljf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class LjfSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new LongestJobFirstScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("key", "prompt"));
    }

    @Test
    void mostOutputTokensLeftFirstTiesByArrival() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 8, 10), Seq.waiting(1, 1, 8, 50),
                Seq.waiting(2, 2, 8, 10));
        var scheduler = create(Map.of());
        // then: r1 (50), then r0 and r2 (10 each) in arrival order; running untouched
        assertEquals(longs(1, 0, 2), waitingIds(scheduler, queues));
        assertKeepsRunningOrder(scheduler, queues.running(Seq.running(5, 0, 4, 9, 1), Seq.running(6, 0, 4, 2, 1)));
    }
}
