package servelab.schedulers.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class RandomSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new RandomScheduler();
    }

    private static FakeQueues twenty() {
        var queues = new FakeQueues().running(Seq.running(100, 0, 4, 9, 1), Seq.running(101, 0, 4, 9, 1));
        for (int i = 0; i < 20; i++) queues.waiting(Seq.waiting(i, i, 8, 8));
        return queues;
    }

    @Test
    void theSameSeedGivesTheSameSequenceOfShuffles() {
        var a = create(Map.of("seed", 3L));
        var b = create(Map.of("seed", 3L));
        var queues = twenty();
        var first = waitingIds(a, queues);
        // then: call by call the same orders, and the order changes from call to call
        assertEquals(first, waitingIds(b, queues));
        assertEquals(waitingIds(a, queues), waitingIds(b, queues));
        assertNotEquals(first, waitingIds(a, queues));
        assertKeepsRunningOrder(a, queues);
    }

    @Test
    void anotherSeedGivesAnotherOrder() {
        assertNotEquals(waitingIds(create(Map.of("seed", 3L)), twenty()), waitingIds(create(Map.of("seed", 4L)), twenty()));
    }
}
