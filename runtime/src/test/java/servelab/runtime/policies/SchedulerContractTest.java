package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;

/**
 * What every scheduler plugin promises, checked on seeded random queues that evolve like the engine's and on a
 * whole memory-bound replay. Each scheduler's test extends this class and adds its own behaviour.
 */
abstract class SchedulerContractTest {

    /** The plugin under test. */
    abstract PluginFactory<Scheduler> factory();

    /** Parameter sets the contract is checked with; the defaults always, plus any that change the code path. */
    List<Map<String, Object>> parameterSets() {
        return List.of(Map.of());
    }

    final Scheduler create(Map<String, Object> params) {
        var d = factory().descriptor();
        return factory().create(Params.validate(d.label(), d.params(), params));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyOrderingIsAPermutationOfItsQueues(long seed) {
        for (var params : parameterSets()) {
            var scheduler = create(params);
            var queues = new RandomQueues(seed);
            for (int call = 0; call < 40; call++) {
                var ctx = queues.next();
                var order = scheduler.order(ctx);
                assertPermutation(ctx.running, order.running(), "running", params, call);
                assertPermutation(ctx.waiting, order.waiting(), "waiting", params, call);
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
            var engine = new PolicyEngine().scheduler(factory(), params).blocks(24, 4);
            // when
            var rows = engine.run(trace);
            // then: nothing faulted, and every request finished with all its tokens
            assertEquals(List.of(), rows.events("fault"), params.toString());
            assertEquals(trace.size(), rows.requests.size());
            for (var request : trace) {
                var row = rows.request(request.id());
                assertTrue(row.isOk(), row.error());
                assertEquals(request.outputTokens(), row.outputTokens(), "request " + request.id());
            }
        }
    }

    @Test
    void theDescriptorNamesItsKindAndDocumentsEveryParameter() {
        var d = factory().descriptor();
        assertEquals(PluginKind.SCHEDULER, d.kind());
        assertFalse(d.summary().isBlank());
        for (var p : d.params()) assertTrue(p.doc().length() > 10, "parameter " + p.name() + " needs a doc");
    }

    /** Each candidate exactly once (by identity, as the engine checks), nothing else. */
    static void assertPermutation(List<SeqView> queue, List<SeqView> ordered, String which, Map<String, Object> params,
                                  int call) {
        String where = which + " ordering with " + params + " at call " + call;
        assertEquals(queue.size(), ordered.size(), where + ": size");
        var seen = Collections.newSetFromMap(new IdentityHashMap<SeqView, Boolean>());
        var expected = Collections.newSetFromMap(new IdentityHashMap<SeqView, Boolean>());
        expected.addAll(queue);
        for (var seq : ordered) {
            assertTrue(expected.contains(seq), where + ": " + seq + " is not in the queue");
            assertTrue(seen.add(seq), where + ": " + seq + " appears twice");
        }
    }

    /** The waiting order of {@code scheduler} on {@code queues}, as ids. */
    static List<Long> waitingIds(Scheduler scheduler, FakeQueues queues) {
        return FakeQueues.ids(scheduler.order(queues).waiting());
    }

    /** The running order of {@code scheduler} on {@code queues}, as ids. */
    static List<Long> runningIds(Scheduler scheduler, FakeQueues queues) {
        return FakeQueues.ids(scheduler.order(queues).running());
    }

    /** The running list is returned as it is (identity), as FCFS-like running orders promise. */
    static void assertKeepsRunningOrder(Scheduler scheduler, FakeQueues queues) {
        Ordering order = scheduler.order(queues);
        assertSame(queues.running, order.running());
    }

    static List<Long> longs(long... values) {
        var list = new ArrayList<Long>();
        for (long v : values) list.add(v);
        return list;
    }
}
