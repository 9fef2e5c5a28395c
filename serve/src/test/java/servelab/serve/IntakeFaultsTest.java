package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.exec.RequestSampling;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/** What the intake does when a policy or the server itself fails while taking a request in. */
class IntakeFaultsTest {

    @Test
    void anAdmissionPolicyThatThrowsIsRevertedAndTheRequestServed(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.max_pending=1")) {
            // given: an admission that throws goes into the slot, the default before it
            var slot = s.session.engine().clusterSlots().admission();
            String before = slot.current().id();
            Admission bad = (request, views) -> {
                throw new IllegalStateException("admission bug");
            };
            slot.install(new PolicySlot.Installed<>(bad, new PluginDescriptor(PluginKind.ADMISSION, "bad", "1.0.0",
                    "throws", List.of()), Map.of(), "test"));
            // when: two requests come, one after the other (max_pending 1: a slot held by the first refuses the second)
            for (int i = 0; i < 2; i++) {
                var r = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}");
                assertEquals(200, r.statusCode(), r.body());
            }
            // then: back on the admission before it (the throw escaped the intake: a 500, and the slot never freed)
            assertEquals(before, slot.current().id());
        }
        var events = RunResults.load(dir.resolve("run")).table(ResultTable.EVENTS).orElseThrow();
        int faults = 0;
        for (int i = 0; i < events.rowCount(); i++) {
            if (!events.strings("type").get(i).equals("fault")) continue;
            faults++;
            assertEquals("admission", events.strings("kind").get(i));
            assertTrue(events.strings("detail").get(i).contains("admission bug"), events.strings("detail").get(i));
        }
        assertEquals(1, faults);
    }

    @Test
    void aRequestTheServerFailsToTakeInIsRecordedAndHoldsNoSlot(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.max_pending=1")) {
            var engine = s.session.engine();
            // given: something of the server's own throws after the request was counted and routed
            engine.onProgress(failingIntake());
            var out = engine.submit(new LiveEngine.Ask(new int[] {1, 2, 3}, 5, "t", List.of(), false, Map.of(),
                    RequestSampling.Choice.RUN, false));
            // then: a 500 naming the cause, and nothing held (the slot leaked: every later request was a 503)
            var refused = (LiveEngine.Refused) out;
            assertEquals(500, refused.status());
            assertTrue(refused.reason().contains("intake bug"), refused.reason());
            assertEquals(0, engine.pending());
            engine.onProgress(EngineProgress.NONE);
            var r = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}");
            assertEquals(200, r.statusCode(), r.body());
        }
        var rows = RunResults.load(dir.resolve("run")).requests();
        assertEquals(2, rows.rowCount());
        assertTrue(rows.strings("error").get(0).startsWith("internal error: java.lang.IllegalStateException: intake bug"),
                rows.strings("error").get(0));
        assertEquals("failed", rows.strings("outcome").get(0));
        assertEquals("", rows.strings("error").get(1));
    }

    /** Progress that throws once a request is routed: the server's own failure while taking it in. */
    static EngineProgress failingIntake() {
        return new EngineProgress() {
            @Override public void routed(long id, int replica, long arrivalNanos, int inputTokens) {
                throw new IllegalStateException("intake bug");
            }
            @Override public void tokens(long id, int from, int to, long nanos) { }
            @Override public void finished(int replica, String reason) { }
            @Override public void idle(Replica replica, ReplicaSlots slots) { }
        };
    }
}
