package servelab.schedulers.srpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.testkit.TinyEngine.request;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.ReferencePolicies;
import servelab.testkit.SchedulerContractTest;
import servelab.testkit.TinyEngine;

class SrptSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new ShortestRemainingTimeScheduler();
    }

    @Test
    void ordersRunningRequestsByWorkLeftSoTheLongestIsTheFirstVictim() {
        // given: running r0 with 30 tokens left, r1 with 2, r2 with 10 (in first-scheduled order)
        var queues = new FakeQueues().running(Seq.running(0, 0, 4, 40, 10), Seq.running(1, 1, 4, 12, 10),
                Seq.running(2, 2, 4, 20, 10));
        // then: r1, r2, r0: the batcher preempts from the end, so r0 goes first when memory runs out
        assertEquals(longs(1, 2, 0), runningIds(create(Map.of()), queues));
    }

    @Test
    void underMemoryPressureTheRequestWithMostWorkLeftIsPreempted() {
        // given: 3 blocks of 4 tokens; r0 (8 outputs) scheduled first, r1 (6 outputs) second; after their prompts
        // each needs a second block for its first decode, and only one is free
        var trace = new TinyEngine.Request[] {request(0, 0, 4, 8), request(1, 0, 4, 6)};
        var srpt = new TinyEngine().scheduler(new ShortestRemainingTimeScheduler(), Map.of()).blocks(3, 4).run(trace);
        var fcfs = new TinyEngine().scheduler(ReferencePolicies.fcfs()).blocks(3, 4).run(trace);
        // then: FCFS preempts r1 (the latest scheduled); SRPT preempts r0, which has more work left
        assertTrue(fcfs.request(1).preemptions() > 0 && fcfs.request(0).preemptions() == 0);
        assertTrue(srpt.request(0).preemptions() > 0 && srpt.request(1).preemptions() == 0);
    }
}
