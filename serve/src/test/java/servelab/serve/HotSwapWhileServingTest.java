package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/** Plugins swap while the server serves, through the control port as with `servelab run`. */
class HotSwapWhileServingTest {

    @Test
    void aSchedulerSwitchedOverTheControlPortRunsTheNextRequests(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"before\", \"max_tokens\": 3}").statusCode());
            s.control("switch scheduler sjf");
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"after\", \"max_tokens\": 3}").statusCode());
            var metrics = s.get("/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{") && l.contains("plugin=\"sjf@")
                    && l.endsWith(" 1.0")), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_swaps_total{")
                    && l.contains("kind=\"scheduler\"")), metrics);
        }
        var schedulers = RunResults.load(dir.resolve("run")).table(servelab.runtime.record.ResultTable.ITERATIONS)
                .orElseThrow().strings("scheduler");
        assertTrue(schedulers.getFirst().startsWith("fcfs@"), schedulers.toString());
        assertTrue(schedulers.getLast().startsWith("sjf@"), schedulers.toString());
    }

    @Test
    void anAdmissionSwitchedWhileServingIsRecordedAndShownLikeAnyOther(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"before\", \"max_tokens\": 3}").statusCode());
            s.control("switch admission bounded-queue");
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"after\", \"max_tokens\": 3}").statusCode());
            // the cluster's slots are in the metrics, and the swap is counted (only scheduler swaps were)
            var metrics = s.get("/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{") && l.contains("engine=\"cluster\"")
                    && l.contains("kind=\"admission\"") && l.contains("plugin=\"bounded-queue@") && l.endsWith(" 1.0")), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_swaps_total{") && l.contains("kind=\"admission\"")
                    && l.endsWith(" 1.0")), metrics);
        }
        // and events.arrow and run.json record it, as a run's do (a router or admission switch was nowhere)
        var events = RunResults.load(dir.resolve("run")).table(servelab.runtime.record.ResultTable.EVENTS).orElseThrow();
        int swaps = 0;
        for (int i = 0; i < events.rowCount(); i++) {
            if (events.strings("type").get(i).equals("swap") && events.strings("kind").get(i).equals("admission")) swaps++;
        }
        assertEquals(1, swaps);
        var info = servelab.runtime.record.Json.MAPPER.readTree(dir.resolve("run/run.json").toFile());
        assertTrue(info.get("plugin_history").toString().contains("\"kind\":\"admission\""), info.get("plugin_history").toString());
    }

    @Test
    void aSwitchOfASlotTheServerNeverConsultsIsRefused(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            // the server has no gateway nor autoscaler: the switch was answered as done and changed nothing
            for (var kind : java.util.List.of("retry", "hedge", "breaker", "autoscaler")) {
                var refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                        () -> s.control("switch " + kind + " none"));
                assertTrue(refused.getMessage().contains("error: this run never consults its " + kind
                        + " slot: servelab serve has no gateway"), refused.getMessage());
            }
            // a group the server does not have, refused as the experiment refuses it (it was swapped in, and did nothing)
            var group = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> s.control("switch admission degrade group=big"));
            assertTrue(group.getMessage().contains("parameter 'group': 'big' is not a replica group; groups: default"),
                    group.getMessage());
            s.control("switch admission degrade group=default");
        }
    }
}
