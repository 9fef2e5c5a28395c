package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;
import servelab.runtime.record.RequestRow;

/** {@link Replica#cancel}: a serving client that leaves frees its KV at once and is recorded as cancelled. */
class ReplicaCancelTest {

    private static RequestRow row(TinyEngine engine, long id) {
        return engine.rows.requests.stream().filter(r -> r.requestId() == id).findFirst().orElseThrow();
    }

    @Test
    void cancellingARunningRequestFreesItsBlocksBeforeTheNextStepAndRecordsItCancelled() {
        var engine = new TinyEngine(64, 16, Map.of());
        var replica = engine.replica;
        replica.submit(TraceRequest.of(0, 0, 100, 500));
        replica.submit(TraceRequest.of(1, 0, 40, 500));
        long t = 0;
        for (int i = 0; i < 5; i++) t += replica.step(t);
        int freeBefore = replica.freeBlocks();
        assertTrue(replica.cancel(0, "the client disconnected"));
        assertTrue(replica.freeBlocks() >= freeBefore + 6, "request 0 held at least ceil(100/16) = 7 blocks");
        replica.checkInvariants();
        var cancelled = row(engine, 0);
        assertEquals(Replica.CANCELLED + "the client disconnected", cancelled.error());
        assertEquals(5, cancelled.outputTokens(), "a prefill step and four decodes");
        assertEquals(5, cancelled.tokenTimesNanos().length);
        assertEquals(-1, cancelled.completionNanos());
        assertFalse(replica.cancel(0, "again"), "an ended request is not found twice");
        t += replica.step(t); // the other request goes on
        assertEquals(1, replica.queuedRequests());
        assertTrue(replica.cancel(1, "the client disconnected"));
        assertEquals(replica.totalBlocks(), replica.freeBlocks());
    }

    @Test
    void cancellingAWaitingRequestRecordsItWithoutTokens() {
        var engine = new TinyEngine(64, 16, Map.of());
        engine.replica.submit(TraceRequest.of(3, 0, 10, 10));
        assertTrue(engine.replica.cancel(3, "the server stopped"));
        assertFalse(engine.replica.hasWork());
        assertEquals(0, row(engine, 3).outputTokens());
        assertTrue(row(engine, 3).error().startsWith(Replica.CANCELLED));
    }

    @Test
    void endingWithoutReasonCompletesWithTheTokensSoFarAsAStopConditionDoes() {
        var engine = new TinyEngine(64, 16, Map.of());
        var replica = engine.replica;
        replica.submit(TraceRequest.of(0, 0, 20, 100));
        long t = 0;
        for (int i = 0; i < 3; i++) t += replica.step(t);
        assertTrue(replica.cancel(0, null));
        var done = row(engine, 0);
        assertEquals("", done.error());
        assertEquals(3, done.outputTokens());
        assertEquals(3, done.tokenTimesNanos().length);
        assertEquals(done.tokenTimesNanos()[2], done.completionNanos());
        assertEquals(replica.totalBlocks(), replica.freeBlocks());
    }

    @Test
    void everyProducedTokenIsReportedToTheSinkBeforeItsRequestRow() {
        var seen = new ArrayList<String>();
        var rows = new ResultSink() {
            @Override
            public void tokens(long requestId, int[] ids, int from, int to, long nanos) {
                seen.add(requestId + ":" + from + "-" + to);
            }

            @Override
            public void request(RequestRow row) {
                seen.add("end " + row.requestId());
            }

            @Override public void iteration(servelab.runtime.record.IterationRow row) {}
            @Override public void event(servelab.runtime.record.EventRow row) {}
        };
        runAlone(TraceRequest.of(0, 0, 20, 3), rows);
        assertEquals(List.of("0:0-1", "0:1-2", "0:2-3", "end 0"), seen);
    }

    @Test
    void aStepWhoseRowTheSinkDoesNotWantIsStillReportedButBuildsNoRow() {
        var rows = new ArrayList<Long>();
        var stepped = new ArrayList<Long>();
        var sink = new ResultSink() {
            @Override public boolean wantsIteration(long iteration) { return iteration % 3 == 0; }
            @Override public void stepped(int replica, long query, long hit, long tokens) { stepped.add(tokens); }
            @Override public void iteration(servelab.runtime.record.IterationRow row) { rows.add(row.iteration()); }
            @Override public void request(RequestRow row) {}
            @Override public void event(servelab.runtime.record.EventRow row) {}
        };
        runAlone(TraceRequest.of(0, 0, 20, 7), sink);
        // every step said what it computed (the cluster's time bins count them all); rows only for every third
        assertEquals(7, stepped.size());
        assertEquals(20 + 6, stepped.stream().mapToLong(Long::longValue).sum(), "prompt, then one token a step");
        assertEquals(List.of(0L, 3L, 6L), rows);
    }

    /** Runs {@code request} to its end on a replica of its own, built around {@code sink}. */
    private static void runAlone(TraceRequest request, ResultSink sink) {
        var tiny = new TinyEngine(64, 16, Map.of());
        var replica = new Replica(0, new ReplicaConfig(16, 64, 0), new ReplicaSlots(tiny.scheduler, tiny.batcher,
                tiny.kv, tiny.prefix, tiny.eviction, tiny.speculator),
                new servelab.runtime.exec.SimulatedExecutor(TinyEngine.TOY_COST, 16), sink);
        replica.submit(request);
        long t = 0;
        while (replica.hasWork()) t += replica.step(t);
    }
}
