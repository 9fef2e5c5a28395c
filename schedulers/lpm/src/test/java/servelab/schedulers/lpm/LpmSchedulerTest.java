package servelab.schedulers.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class LpmSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new LongestPrefixMatchScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("fallback_queue_size", 3));
    }

    @Test
    void longestCachedPrefixFirstTiesByArrival() {
        // given: the prefix cache holds 0, 32, 16 and 32 tokens of the four waiting prompts
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 64, 8), Seq.waiting(1, 1, 64, 8),
                Seq.waiting(2, 2, 64, 8), Seq.waiting(3, 3, 64, 8)).cached(1, 32).cached(2, 16).cached(3, 32);
        // then: r1 and r3 (32, by arrival), r2 (16), r0 (no match)
        assertEquals(longs(1, 3, 2, 0), waitingIds(create(Map.of()), queues));
    }

    @Test
    void pastTheQueueSizeLimitItOrdersAsFcfsWithoutAskingTheCache() {
        // given: a limit of 2 and three waiting requests; a cache that must not be asked
        var queues = new FakeQueues() {
            @Override
            public int cachedPrefixTokens(SeqView seq) {
                throw new AssertionError("LPM asked the cache past its queue-size limit");
            }
        }.waiting(Seq.waiting(0, 0, 64, 8), Seq.waiting(1, 1, 64, 8), Seq.waiting(2, 2, 64, 8));
        // then: the waiting queue as it is
        assertSame(queues.waiting, create(Map.of("fallback_queue_size", 2)).order(queues).waiting());
    }

    @Test
    void withoutAPrefixCacheEveryMatchIsZeroAndTheOrderIsFcfs() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 64, 8), Seq.waiting(1, 1, 8, 8));
        assertSame(queues.waiting, create(Map.of()).order(queues).waiting());
    }
}
