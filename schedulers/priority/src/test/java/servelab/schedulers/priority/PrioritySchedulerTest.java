package servelab.schedulers.priority;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.testkit.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;
import servelab.testkit.TinyEngine;

class PrioritySchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new PriorityScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("preempt", false, "tenant_priorities", "a=3,b=0"));
    }

    @Test
    void mostUrgentFirstThenArrival() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 8, 8).priority(2), Seq.waiting(1, 1, 8, 8).priority(0),
                Seq.waiting(2, 2, 8, 8).priority(2), Seq.waiting(3, 3, 8, 8).priority(1));
        // then: priority 0, 1, then the two of priority 2 by arrival
        assertEquals(longs(1, 3, 0, 2), waitingIds(create(Map.of()), queues));
    }

    @Test
    void theLeastUrgentRunningRequestIsLastSoItIsPreemptedFirst() {
        var queues = new FakeQueues().running(Seq.running(0, 0, 4, 9, 1).priority(5), Seq.running(1, 1, 4, 9, 1),
                Seq.running(2, 2, 4, 9, 1).priority(5));
        // then: with preempt (default) r1, r0, r2: r2 is least urgent and latest; without, first-scheduled order
        assertEquals(longs(1, 0, 2), runningIds(create(Map.of()), queues));
        assertKeepsRunningOrder(create(Map.of("preempt", false)), queues);
    }

    @Test
    void underMemoryPressureTheLowPriorityRequestIsPreemptedThoughScheduledFirst() {
        // given: 3 blocks of 4 tokens; r0 (priority 5) and r1 (priority 0) arrive together and outgrow memory
        var rows = new TinyEngine().scheduler(new PriorityScheduler(), Map.of()).blocks(3, 4)
                .run(request(0, 0, 4, 8, "default", 5), request(1, 0, 4, 8, "default", 0));
        // then: r0 gives way, although FCFS would preempt r1, the one scheduled last
        assertTrue(rows.request(0).preemptions() > 0);
        assertEquals(0, rows.request(1).preemptions());
    }

    @Test
    void aTenantRuleOverridesTheTracePriority() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 8, 8).tenant("free"),
                Seq.waiting(1, 1, 8, 8).tenant("gold").priority(9), Seq.waiting(2, 2, 8, 8).priority(1));
        // then: gold (rule: 0) first, the unlisted tenant keeps its trace priority 1, free (rule: 2) last
        assertEquals(longs(1, 2, 0), waitingIds(create(Map.of("tenant_priorities", "gold=0, free=2")), queues));
    }

    @Test
    void aMalformedTenantRuleNamesThePair() {
        var e = assertThrows(IllegalArgumentException.class, () -> create(Map.of("tenant_priorities", "gold=0,free")));
        assertEquals("parameter 'tenant_priorities' must be tenant=integer pairs joined by commas (e.g. gold=0,free=2);"
                + " 'free' is not", e.getMessage());
    }
}
