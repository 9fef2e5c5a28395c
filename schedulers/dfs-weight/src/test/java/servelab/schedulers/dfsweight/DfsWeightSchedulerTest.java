package servelab.schedulers.dfsweight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.SchedulerContractTest;

class DfsWeightSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new DfsWeightScheduler();
    }

    @Test
    void theLargestGroupSharingACachedPrefixGoesFirstUnmatchedLast() {
        // given: r0, r2 and r5 match 48 cached tokens, r1 and r4 match 16, r6 matches 64, r3 nothing
        var queues = new FakeQueues();
        for (int i = 0; i < 7; i++) queues.waiting(Seq.waiting(i, i, 64, 8));
        queues.cached(0, 48).cached(1, 16).cached(2, 48).cached(4, 16).cached(5, 48).cached(6, 64);
        // then: the group of three (48: r0, r2, r5), the pair (16: r1, r4), r6 alone, the unmatched r3 last
        assertEquals(longs(0, 2, 5, 1, 4, 6, 3), waitingIds(create(Map.of()), queues));
    }

    @Test
    void withoutAPrefixCacheTheOrderIsFcfs() {
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 64, 8), Seq.waiting(1, 1, 8, 8));
        assertSame(queues.waiting, create(Map.of()).order(queues).waiting());
    }
}
