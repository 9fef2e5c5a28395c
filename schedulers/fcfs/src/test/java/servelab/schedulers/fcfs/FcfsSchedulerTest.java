package servelab.schedulers.fcfs;

import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.ReferencePolicies;
import servelab.testkit.SchedulerContractTest;

class FcfsSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
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
