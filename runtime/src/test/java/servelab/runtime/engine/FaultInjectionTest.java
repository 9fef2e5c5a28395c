package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.ReplicaState;
import servelab.runtime.record.EventRow;

/** Injected faults change what replicas do, and each start and end is an event. */
class FaultInjectionTest {
    private static final long MS = 1_000_000L;
    private static final Router LEAST_QUEUED = (r, views) -> views.stream()
            .min(Comparator.comparingInt(ReplicaView::queuedRequests).thenComparingInt(ReplicaView::index))
            .orElseThrow().index();

    private static List<TraceRequest> spaced(int n, double everyMs, int output) {
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) list.add(TinyCluster.request(i, i * everyMs, 32, output, 1, 2));
        return list;
    }

    private static TinyCluster cluster(int n) {
        return new TinyCluster(n, 64, LEAST_QUEUED, TinyCluster.options(n, Network.NONE, 0, false));
    }

    private static List<EventRow> ofType(TinyCluster.Rows rows, String... types) {
        return rows.events.stream().filter(e -> List.of(types).contains(e.type())).toList();
    }

    @Test
    void aStragglersStepsTakeFactorTimesAsLongWhileTheFaultLasts() {
        var plain = cluster(1).run(spaced(1, 0, 20));
        var slow = cluster(1);
        slow.simulation.faults(List.of(new Fault.Straggle(0, 10 * MS, 0, 3.0)), new long[1]);
        var rows = slow.run(spaced(1, 0, 20));
        for (int i = 0; i < plain.iterations.size(); i++) {
            var p = plain.iterations.get(i);
            var s = rows.iterations.get(i);
            long base = p.endNanos() - p.startNanos();
            boolean during = s.startNanos() < 10 * MS;
            assertEquals(during ? 3 * base : base, s.endNanos() - s.startNanos(), "step " + i);
        }
        assertTrue(rows.iterations.get(rows.iterations.size() - 1).startNanos() > 10 * MS, "the fault ended mid-run");
        var events = ofType(rows, "fault-start", "fault-end");
        assertEquals(List.of("fault-start", "fault-end"), events.stream().map(EventRow::type).toList());
        assertEquals("straggle", events.getFirst().kind());
        assertEquals(10 * MS, events.get(1).timeNanos());
        assertEquals(1.0, slow.simulation.faultState().slowdown(0));
    }

    @Test
    void aPartitionedReplicaIsUnavailableAndGetsNoNewRequests() {
        var c = cluster(2);
        var seen = new ArrayList<Boolean>();
        c.router.install(TinyCluster.router((r, views) -> {
            seen.add(views.size() == 2);
            return LEAST_QUEUED.route(r, views);
        }, "least", java.util.Map.of()));
        c.simulation.faults(List.of(new Fault.Partition(0, 50 * MS, 1)), new long[2]);
        var rows = c.run(spaced(20, 5, 40));
        for (var row : rows.requests) {
            assertTrue(row.isOk(), row.error());
            if (row.arrivalNanos() < 50 * MS) assertEquals(0, row.replica(), "request " + row.requestId());
        }
        assertTrue(rows.requests.stream().anyMatch(r -> r.replica() == 1), "replica 1 serves after the partition");
        assertFalse(seen.getFirst(), "the router saw only the reachable replica");
        assertTrue(seen.getLast(), "and both once it healed");
        assertFalse(c.simulation.faultState().partitioned(1));
    }

    @Test
    void aCrashDropsEveryRequestAndAllKvAndTheReplicaServesAgainAfterItsColdStart() {
        var c = cluster(1);
        var indexed = new java.util.TreeMap<Long, Integer>(); // the router's prefix index size at each routing
        c.router.install(TinyCluster.router((r, views) -> {
            indexed.put(r.id(), views.getFirst().prefixCacheBlocks());
            return LEAST_QUEUED.route(r, views);
        }, "least", java.util.Map.of()));
        long cold = 40 * MS;
        c.simulation.faults(List.of(new Fault.Crash(30 * MS, 0, true, 10 * MS)), new long[] {cold});
        c.simulation.onStep((replica, end) -> replica.checkInvariants()); // KV bookkeeping holds across the crash
        // 6 requests at once, long outputs, and a seventh at 20 ms: all on the replica when it crashes at 30 ms;
        // one at 60 ms while it is starting (nowhere to go); one at 100 ms, after the cold start (30 + 40 + 10 ms)
        var trace = new ArrayList<>(spaced(6, 0, 200));
        trace.add(TinyCluster.request(6, 20, 32, 200, 1, 2));
        trace.add(TinyCluster.request(7, 60, 32, 4, 1, 2));
        trace.add(TinyCluster.request(8, 100, 32, 4, 1, 2));
        var rows = c.run(trace);
        // without retries (the gateway's default) each lost attempt fails its request; none was answered
        for (long id = 0; id < 7; id++) {
            var row = rows.byId(id);
            assertTrue(row.error().startsWith("attempt 0 crashed on replica 0"), row.error());
            assertEquals(-1, row.replica());
            assertTrue(id == 6 || row.gateway().wastedTokens() > 0, "computed before the crash: " + row.gateway());
        }
        assertTrue(rows.byId(7).error().contains(Dispatcher.NONE_AVAILABLE), rows.byId(7).error());
        assertTrue(rows.byId(8).isOk(), rows.byId(8).error());
        assertTrue(rows.byId(8).firstScheduledNanos() >= 100 * MS);
        assertEquals(0, rows.byId(8).cachedPrefixTokens(), "the crash emptied the prefix cache");
        assertTrue(indexed.get(6L) > 0, "the router saw the cached prefix before the crash: " + indexed);
        assertEquals(0, indexed.get(8L), "the router's prefix index forgot the crashed replica's cache");
        assertEquals(ReplicaState.SERVING, c.simulation.state(0));
        // the crash landed at the end of the step in progress at 30 ms; the cold start is 40 + 10 ms from there
        var faults = ofType(rows, "fault-start", "fault-end");
        assertEquals(2, faults.size());
        long crashAt = faults.getFirst().timeNanos();
        assertTrue(crashAt >= 30 * MS && crashAt < 32 * MS, "crash at " + crashAt);
        assertTrue(faults.getFirst().detail().contains("7 requests lost"), faults.getFirst().detail());
        assertEquals(crashAt + 50 * MS, faults.get(1).timeNanos());
        var life = ofType(rows, "replica");
        assertEquals(List.of("serving>down@0", "down>starting@0", "starting>serving@50"), life.stream()
                .map(e -> e.from() + ">" + e.to() + "@" + (e.timeNanos() - crashAt) / MS).toList());
    }

    @Test
    void everyCrashStartHasItsEndWhenCrashesMeetADownOrRestartingReplica() {
        // given: two replicas; r1 crashes at 10 ms and again at 20 ms, during its 40 ms cold start; r0 crashes at
        // 15 ms without restart and again at 25 ms, while down
        var c = cluster(2);
        c.simulation.faults(List.of(new Fault.Crash(10 * MS, 1, true, 0), new Fault.Crash(20 * MS, 1, true, 0),
                new Fault.Crash(15 * MS, 0, false, 0), new Fault.Crash(25 * MS, 0, false, 0)), new long[] {40 * MS, 40 * MS});
        var trace = new ArrayList<>(spaced(4, 0, 200)); // busy at the crashes, and one request after the restart
        trace.add(TinyCluster.request(4, 100, 32, 4, 1, 2));
        var rows = c.run(trace);
        // then: per replica, every start has its end but the crash without restart (r1 gave two starts and one end,
        // r0's second crash a start alone); the crash of a replica already down starts and ends at once
        for (int r = 0; r < 2; r++) {
            int open = 0;
            for (var e : ofType(rows, "fault-start", "fault-end")) if (e.replica() == r) open += e.type().equals("fault-start") ? 1 : -1;
            assertEquals(r == 0 ? 1 : 0, open, "replica " + r + ": " + ofType(rows, "fault-start", "fault-end"));
        }
        var r0 = ofType(rows, "fault-start", "fault-end").stream().filter(e -> e.replica() == 0).toList();
        assertEquals(List.of("fault-start", "fault-start", "fault-end"), r0.stream().map(EventRow::type).toList());
        assertEquals(r0.get(1).timeNanos(), r0.get(2).timeNanos());
        assertTrue(r0.get(2).detail().endsWith("nothing crashed"), r0.get(2).detail());
        var r1 = ofType(rows, "fault-end").stream().filter(e -> e.replica() == 1).toList();
        assertEquals(20 * MS, r1.getFirst().timeNanos());
        assertTrue(r1.getFirst().detail().contains("crashed again during its cold start"), r1.getFirst().detail());
        assertEquals(60 * MS, r1.get(1).timeNanos()); // the second crash's cold start, 40 ms from 20 ms
    }

    @Test
    void aCrashFreesTheWholePoolAndForgetsThePrefixCache() {
        var c = cluster(1);
        c.simulation.faults(List.of(new Fault.Crash(20 * MS, 0, false, 0)), new long[1]);
        var rows = c.run(spaced(4, 0, 100));
        var replica = c.replicas.getFirst();
        assertEquals(replica.totalBlocks(), replica.freeBlocks());
        assertEquals(0, replica.cachedBlocks());
        replica.checkInvariants();
        assertFalse(replica.hasWork());
        assertEquals(ReplicaState.DOWN, c.simulation.state(0));
        assertEquals(4, rows.requests.stream().filter(r -> !r.isOk()).count());
    }

    @Test
    void crashReturnsTheLostRequestsWithTheirComputedTokensAndEmitsNoRows() {
        var c = cluster(1);
        var replica = c.replicas.getFirst();
        for (var r : spaced(3, 0, 50)) replica.submit(r);
        long t = 0;
        for (int i = 0; i < 5; i++) t += replica.step(t);
        int rowsBefore = c.rows.requests.size();
        var lost = replica.crash(t);
        assertEquals(3, lost.size());
        for (var l : lost) assertTrue(l.computedTokens() >= 32, l.toString());
        assertEquals(rowsBefore, c.rows.requests.size());
        assertEquals(replica.totalBlocks(), replica.freeBlocks());
        assertEquals(0, replica.cachedBlocks());
        assertFalse(replica.hasWork());
    }

    @Test
    void aRunWithAnEmptyScheduleRecordsWhatARunWithoutFaultsRecords() {
        var plain = cluster(2).run(spaced(10, 3, 8));
        var c = cluster(2);
        c.simulation.faults(List.of(), new long[2]);
        var rows = c.run(spaced(10, 3, 8));
        assertEquals(plain.events, rows.events);
        assertEquals(plain.iterations.stream().map(i -> i.startNanos() + "-" + i.endNanos() + "@" + i.replica()).toList(),
                rows.iterations.stream().map(i -> i.startNanos() + "-" + i.endNanos() + "@" + i.replica()).toList());
        assertEquals(plain.requests.stream().map(r -> r.requestId() + "@" + r.replica() + ":" + r.completionNanos()).toList(),
                rows.requests.stream().map(r -> r.requestId() + "@" + r.replica() + ":" + r.completionNanos()).toList());
    }
}
