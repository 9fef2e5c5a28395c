package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;

/**
 * What every scheduler promises, checked on seeded random queues that evolve like an engine's and on whole
 * memory-bound replays through {@link TinyEngine}: each ordering is a permutation of its queues (each candidate
 * once, by identity), the queues are left as they were, two fresh instances order the same queues the same way,
 * and every request of a replay completes. A scheduler's test extends this class and adds its own behaviour.
 */
public abstract class SchedulerContractTest extends PluginContract<Scheduler> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.SCHEDULER;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyOrderingIsAPermutationOfItsQueuesAndLeavesThemAsTheyWere(long seed) {
        for (var params : parameterSets()) {
            var scheduler = create(params);
            var queues = new RandomQueues(seed);
            for (int call = 0; call < 40; call++) {
                var ctx = queues.next();
                var running = List.copyOf(ctx.running);
                var waiting = List.copyOf(ctx.waiting);
                var order = scheduler.order(ctx);
                String where = " with " + params + " at call " + call;
                TinyEngine.checkPermutation(running, order.running(), "running" + where);
                TinyEngine.checkPermutation(waiting, order.waiting(), "waiting" + where);
                assertEquals(running, ctx.running, "the scheduler changed the running queue" + where);
                assertEquals(waiting, ctx.waiting, "the scheduler changed the waiting queue" + where);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void twoFreshInstancesOrderTheSameQueuesTheSameWay(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var a = new RandomQueues(seed);
            var b = new RandomQueues(seed);
            for (int call = 0; call < 30; call++) {
                var x = first.order(a.next());
                var y = second.order(b.next());
                assertEquals(FakeQueues.ids(x.running()), FakeQueues.ids(y.running()), "running, call " + call);
                assertEquals(FakeQueues.ids(x.waiting()), FakeQueues.ids(y.waiting()), "waiting, call " + call);
            }
        }
    }

    @Test
    void emptyQueuesGiveAnEmptyOrdering() {
        for (var params : parameterSets()) {
            var order = create(params).order(new FakeQueues());
            assertTrue(order.running().isEmpty() && order.waiting().isEmpty(), params.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void everyRequestOfAMemoryBoundReplayCompletes(long seed) {
        for (var params : parameterSets()) {
            // given: 30 bursty requests on a replica of 24 blocks of 4 tokens, so requests queue and get preempted
            var trace = RandomQueues.trace(seed, 30, 40, 40);
            // when: the engine checks every ordering and plan on the way
            var run = new TinyEngine().scheduler(create(params)).blocks(24, 4).run(trace);
            // then: every request finished with all its tokens
            for (var request : trace) {
                assertEquals(request.outputTokens(), run.request(request.id()).outputTokens(),
                        "request " + request.id() + " with " + params);
            }
        }
    }

    // --- helpers for a scheduler's own tests ------------------------------------------------------------------

    /** The waiting order of {@code scheduler} on {@code queues}, as ids. */
    public static List<Long> waitingIds(Scheduler scheduler, FakeQueues queues) {
        return FakeQueues.ids(scheduler.order(queues).waiting());
    }

    /** The running order of {@code scheduler} on {@code queues}, as ids. */
    public static List<Long> runningIds(Scheduler scheduler, FakeQueues queues) {
        return FakeQueues.ids(scheduler.order(queues).running());
    }

    /** The running list is returned as it is (identity), as FCFS-like running orders promise. */
    public static void assertKeepsRunningOrder(Scheduler scheduler, FakeQueues queues) {
        Ordering order = scheduler.order(queues);
        assertSame(queues.running, order.running());
    }

    public static List<Long> longs(long... values) {
        var list = new ArrayList<Long>();
        for (long v : values) list.add(v);
        return list;
    }

    /** Each candidate exactly once, by identity, as the engine checks. */
    public static void assertPermutation(List<SeqView> queue, List<SeqView> ordered, String which) {
        TinyEngine.checkPermutation(queue, ordered, which);
    }
}
