package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.runtime.policies.FakeQueues.Seq;
import servelab.schedulers.fcfs.FcfsScheduler;

class FcfsSchedulerTest extends SchedulerContractTest {
    @Override
    PluginFactory<Scheduler> factory() {
        return new FcfsScheduler();
    }

    @Test
    void returnsBothQueuesAsTheEngineKeepsThem() {
        var queues = new FakeQueues().running(Seq.running(0, 0, 4, 4, 1)).waiting(Seq.waiting(1, 1, 4, 4));
        var order = create(java.util.Map.of()).order(queues);
        assertSame(queues.running, order.running());
        assertSame(queues.waiting, order.waiting());
    }
}
