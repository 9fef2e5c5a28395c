package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/**
 * The {@code autoscaling:} block end to end, and effect 5 of issue 14: under a ramp, an autoscaled fleet with cold
 * starts misses the TTFT SLO more often than an over-provisioned one while it scales up, and costs fewer
 * replica-seconds.
 */
class AutoscalingRunTest {
    @TempDir Path work;

    private String error(String yaml) throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), yaml);
        return assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(file, List.of())).getMessage()
                .replace(file.toString(), "e.yaml");
    }

    @Test
    void theBlockIsCheckedAndDefaultsFillIn() throws Exception {
        assertEquals("e.yaml: autoscaling.max 9 is more than replicas (4); list every replica the fleet may grow to "
                + "under replicas", error("replicas: 4\nautoscaling: {max: 9}\n"));
        assertEquals("e.yaml: autoscaling.initial must be in [min, max] = [2, 4], was 1",
                error("replicas: 4\nautoscaling: {min: 2, initial: 1}\n"));
        assertEquals("e.yaml: autoscaling.interval_ms must be in [1, 1e12] ms, was 0.0",
                error("replicas: 4\nautoscaling: {interval_ms: 0}\n"));
        // a 1 ns interval was accepted and spun; a warm-up of 9.3e12 ms overflowed the clock mid-run
        assertEquals("e.yaml: autoscaling.interval_ms must be in [1, 1e12] ms, was 1.0E-6",
                error("replicas: 4\nautoscaling: {interval_ms: 0.000001}\n"));
        assertEquals("e.yaml: autoscaling.warmup_ms must be in [0, 1e12] ms, was 9.3E12",
                error("replicas: 4\nautoscaling: {warmup_ms: 9.3e12}\n"));
        var file = Files.writeString(work.resolve("ok.yaml"), "replicas: 4\nautoscaling: {initial: 2}\n");
        var spec = ExperimentFile.load(file, List.of()).autoscaling();
        assertEquals(new AutoscalingSpec(1, 4, 2, 10_000.0, 0.0), spec);
        assertNull(ExperimentFile.load(null, List.of("replicas=4")).autoscaling(), "a fixed fleet by default");
        var implied = ExperimentFile.load(null, List.of("replicas=4", "plugins.autoscaler.name=target-queue"));
        assertEquals(new AutoscalingSpec(1, 4, 4, 10_000.0, 0.0), implied.autoscaling(), "an autoscaler implies one");
    }

    /** Vidur CSV: Poisson arrivals whose rate rises linearly from {@code from} to {@code to} req/s, then holds. */
    static Path ramp(Path file, double from, double to, double rampS, double holdS, long seed) throws Exception {
        var rng = new SplittableRandom(seed);
        var csv = new StringBuilder("arrived_at,num_prefill_tokens,num_decode_tokens\n");
        double t = 0;
        while (t < rampS + holdS) {
            double rate = t < rampS ? from + (to - from) * t / rampS : to;
            t += -Math.log(1 - rng.nextDouble()) / rate;
            csv.append(String.format(Locale.ROOT, "%.6f,%d,%d%n", t, 200 + rng.nextInt(1200), 50 + rng.nextInt(250)));
        }
        return Files.writeString(file, csv);
    }

    private RunResults run(List<String> overrides, String folder) throws Exception {
        var plugins = TestBundles.clusterPlugins(TestBundles.resiliencePlugins(
                TestBundles.defaultPlugins(work.resolve("plugins"))));
        var result = ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve(folder),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        return RunResults.load(result.runDir());
    }

    @Test
    void effect5AnAutoscaledFleetMissesTheSloWhileItScalesUpAndCostsFewerReplicaSeconds() throws Exception {
        var trace = ramp(work.resolve("ramp.csv"), 2, 150, 60, 30, 14);
        var common = List.of("seed=14", "replicas=8", "trace.file=" + trace, "trace.format=vidur-csv",
                "plugins.router.name=least-requests", "slo.ttft_ms=2000");
        var fixed = run(common, "fixed");
        var scaled = new java.util.ArrayList<>(common);
        scaled.addAll(List.of("autoscaling.initial=1", "autoscaling.interval_ms=5000", "autoscaling.warmup_ms=20000",
                "plugins.autoscaler.name=target-queue", "plugins.autoscaler.params.target_waiting_per_replica=4",
                "plugins.autoscaler.params.stabilization_s=60"));
        var auto = run(scaled, "auto");
        // the fleet's settings are in run.json, defaults filled in (they were not in the file at all)
        var fleet = servelab.runtime.record.Json.MAPPER.readTree(work.resolve("auto/run.json").toFile()).get("autoscaling");
        assertEquals("{\"min\":1,\"max\":8,\"initial\":1,\"interval_ms\":5000.0,\"warmup_ms\":20000.0}",
                fleet.toString());
        var f = summary(fixed);
        var a = summary(auto);
        double fixedMiss = miss(fixed), autoMiss = miss(auto);
        double fixedCost = f.get("replica_seconds").asDouble(), autoCost = a.get("replica_seconds").asDouble();
        // the figures AUTOSCALING-EFFECTS.md quotes
        System.err.printf(Locale.ROOT, "effect 5: TTFT > 2 s or failed: autoscaled %.3f, over-provisioned %.3f; p99 TTFT "
                + "%.0f ms vs %.0f ms; replica-seconds %.1f vs %.1f (%.0f%% saved)%n", autoMiss, fixedMiss,
                a.get("p99_ttft_ms").asDouble(), f.get("p99_ttft_ms").asDouble(), autoCost, fixedCost,
                100 * (1 - autoCost / fixedCost));
        assertTrue(autoMiss > fixedMiss + 0.05, "SLO misses: autoscaled " + autoMiss + ", over-provisioned " + fixedMiss);
        assertTrue(autoCost < 0.9 * fixedCost, "replica-seconds: autoscaled " + autoCost + ", fixed " + fixedCost);
        var types = auto.table(ResultTable.EVENTS).orElseThrow().strings("type");
        assertTrue(types.contains("scale"), "the autoscaler acted");
        assertEquals(8 * f.get("duration").asDouble(), fixedCost, 0.05 * fixedCost, "8 replicas the whole run");
    }

    private static com.fasterxml.jackson.databind.JsonNode summary(RunResults r) throws Exception {
        return new ObjectMapper().readTree(r.dir().resolve("summary.json").toFile());
    }

    /** Fraction of requests that did not complete within the TTFT SLO. */
    private static double miss(RunResults r) {
        var met = r.requests().strings("error");
        var ttft = r.requests().longs("first_token_ns");
        var arrival = r.requests().longs("arrival_ns");
        int missed = 0;
        for (int i = 0; i < ttft.length; i++) {
            if (!met.get(i).isEmpty() || ttft[i] - arrival[i] > 2_000_000_000L) missed++;
        }
        return (double) missed / ttft.length;
    }
}
