package servelab.schedulers.edf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class EdfSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new EarliestDeadlineFirstScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("ttft_ms", 5.0, "ttft_ms_per_1k_prompt_tokens", 40.0, "late", "last"));
    }

    @Test
    void aFixedTtftObjectiveOrdersAsFcfs() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 900, 8), Seq.waiting(1, 5, 10, 8));
        assertEquals(longs(0, 1), waitingIds(create(Map.of("ttft_ms", 100.0)), queues));
    }

    @Test
    void anAllowancePerPromptTokenLetsAShortPromptGoFirst() {
        // given: r0 arrives at 0 ms with 1,000 prompt tokens, r1 at 5 ms with 10; 100 ms + 50 ms per 1k tokens
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 1000, 8), Seq.waiting(1, 5, 10, 8));
        // then: deadlines 150 ms and 105.5 ms, so r1 first
        assertEquals(longs(1, 0), waitingIds(create(Map.of("ttft_ms", 100.0, "ttft_ms_per_1k_prompt_tokens", 50.0)),
                queues));
    }

    @Test
    void lateRequestsGoAfterThoseThatCanStillMakeItWhenAsked() {
        // given: now is 120 ms, objective 100 ms: r0 (arrived 0 ms) and r1 (10 ms) are late, r2 (30 ms) is not
        var queues = new FakeQueues().at(120).waiting(Seq.waiting(0, 0, 8, 8), Seq.waiting(1, 10, 8, 8),
                Seq.waiting(2, 30, 8, 8));
        // then: late=keep is plain EDF; late=last serves r2 first, then the late ones by deadline
        assertEquals(longs(0, 1, 2), waitingIds(create(Map.of("ttft_ms", 100.0)), queues));
        assertEquals(longs(2, 0, 1), waitingIds(create(Map.of("ttft_ms", 100.0, "late", "last")), queues));
    }
}
