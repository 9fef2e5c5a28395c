package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Json;
import servelab.runtime.report.RunResults;

/** The experiment's {@code gateway:} block: checked as written, recorded in run.json, in force during the run. */
class GatewayConfigTest {
    @TempDir Path work;

    private String error(String yaml) throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), yaml);
        return assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(file, List.of())).getMessage()
                .replace(file.toString(), "e.yaml");
    }

    @Test
    void anUnknownGatewayKeyIsRefusedByName() throws Exception {
        var message = error("gateway: {timeot_ms: 5}\n");
        assertTrue(message.contains("unknown key 'gateway.timeot_ms'"), message);
        assertTrue(message.contains("attempt_timeout_ms"), "lists the accepted keys: " + message);
    }

    @Test
    void negativeTimesAndWindowsAreRefusedNamingTheKey() throws Exception {
        assertEquals("e.yaml: gateway.timeout_ms must be a number of milliseconds in [0, 1e12] (0: none), was -5.0",
                error("gateway: {timeout_ms: -5}\n"));
        assertEquals("e.yaml: gateway.attempt_timeout_ms must be a number of milliseconds in [0, 1e12] (0: none), was -1.0",
                error("gateway: {attempt_timeout_ms: -1}\n"));
        // past the clock's range: accepted, then the run stopped with "time went backwards"
        assertEquals("e.yaml: gateway.timeout_ms must be a number of milliseconds in [0, 1e12] (0: none), was 1.0E300",
                error("gateway: {timeout_ms: 1e300}\n"));
        assertEquals("e.yaml: cluster.view_refresh_ms must be in [0, 1e12] ms, was 1.0E300",
                error("cluster: {view_refresh_ms: 1e300}\n"));
        // a lognormal of sigma 50 drew delays past a long of ns: the run stopped with "time went backwards"
        assertTrue(error("cluster: {network: {client_router: {dist: lognormal, median_ms: 1, sigma: 50}}}\n")
                .contains("cluster.network.client_router.sigma must be in [0, 10], was 50.0"));
        assertEquals("e.yaml: gateway.latency_window must be 1..100000 answers, was 0", error("gateway: {latency_window: 0}\n"));
        assertEquals("e.yaml: gateway.latency_window must be 1..100000 answers, was 2147483647",
                error("gateway: {latency_window: 2147483647}\n"));
    }

    @Test
    void aFallbackGroupThatDoesNotExistIsRefusedListingTheGroups() throws Exception {
        assertEquals("e.yaml: gateway.fallback_group 'spare' is not a replica group; groups: fast, g1",
                error("cluster: {groups: [{name: fast, count: 1}, {count: 1}]}\ngateway: {fallback_group: spare}\n"));
        var ok = Files.writeString(work.resolve("ok.yaml"), "gateway: {fallback_group: default}\n");
        assertEquals("default", ExperimentFile.load(ok, List.of()).gateway().fallbackGroup());
    }

    @Test
    void aRunRecordsItsGatewayAndEndsRequestsPastTheDeadlineAsTimedOut() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.synthetic.count=40", "trace.synthetic.arrivals.rate=40",
                "gateway.timeout_ms=400", "gateway.idempotency=false"));
        var result = ExperimentRunner.run(exp, work.resolve("run"), new ExperimentRunner.Options(plugins, null, null, null));
        var info = Json.MAPPER.readTree(result.runDir().resolve("run.json").toFile());
        assertEquals(400.0, info.get("gateway").get("timeout_ms").asDouble());
        assertEquals(false, info.get("gateway").get("idempotency").asBoolean());
        var requests = RunResults.load(result.runDir()).requests();
        var outcomes = requests.strings("outcome");
        // then: every request has one row; some ran past 400 ms (the load is far beyond one replica) and timed out
        assertEquals(40, requests.rowCount());
        assertTrue(outcomes.contains("timed_out") && outcomes.contains("completed"), outcomes.toString());
        long[] arrival = requests.longs("arrival_ns"), completion = requests.longs("completion_ns");
        for (int i = 0; i < 40; i++) {
            if (outcomes.get(i).equals("completed")) assertTrue(completion[i] - arrival[i] <= 400_000_000L);
        }
        var summary = Json.MAPPER.readTree(result.runDir().resolve("summary.json").toFile());
        long timedOut = outcomes.stream().filter("timed_out"::equals).count();
        assertEquals(timedOut, summary.get("outcome_timed_out").asLong());
        assertEquals((40.0 - timedOut) / 40, summary.get("availability").asDouble(), 1e-9);
        assertTrue(summary.get("wasted_tokens").asLong() > 0);
    }
}
