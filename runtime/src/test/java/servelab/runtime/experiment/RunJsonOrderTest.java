package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Json;

/** run.json's nested keys come in the order RESULTS-SCHEMA gives, in every JVM (Map.of's order is not fixed). */
class RunJsonOrderTest {
    @TempDir Path work;

    private static List<String> keys(com.fasterxml.jackson.databind.JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void nestedKeysAreInTheDocumentedOrder() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.synthetic.count=5", "slo.e2el_ms=9000", "slo.ttft_ms=800",
                "slo.tpot_ms=80"));
        var runDir = work.resolve("run");
        ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null));
        var info = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        assertEquals(List.of("simulated_s", "wall_s", "iterations", "requests", "replica_seconds",
                "replica_seconds_by_replica", "duplicate_executions_avoided", "phases_s"), keys(info.get("result")));
        var phases = info.get("result").get("phases_s");
        assertEquals(List.of("jvm_uptime", "setup", "replay", "convert", "summarize"), keys(phases));
        // the console's wall time is run.json's: conversion and summary included, the phases add up to it
        double sum = phases.get("setup").asDouble() + phases.get("replay").asDouble() + phases.get("convert").asDouble()
                + phases.get("summarize").asDouble();
        assertEquals(info.get("result").get("wall_s").asDouble(), sum, 1e-6);
        org.junit.jupiter.api.Assertions.assertTrue(phases.get("convert").asDouble() > 0
                && phases.get("summarize").asDouble() > 0, phases.toString());
        assertEquals(List.of("timeout_ms", "attempt_timeout_ms", "idempotency", "fallback_group", "latency_window"),
                keys(info.get("gateway")));
        assertEquals(List.of("java", "os", "cpus"), keys(info.get("host")));
        assertEquals(List.of("kind", "period"), keys(info.get("prompts")));
        assertEquals(List.of("plugin", "params"), keys(info.get("plugins").get("scheduler")));
        assertEquals(List.of("ttft_ms", "tpot_ms", "e2el_ms"), keys(info.get("slo")));
        assertEquals(List.of("client_router", "router_replica", "replica_client"), keys(info.get("cluster").get("network")));
        assertEquals(List.of("max_model_len", "overflow", "truncated_requests"), keys(info.get("context")));
    }

    @Test
    void eachPluginsParametersAreTheOnesItRanWithDefaultsIncludedInKeyOrder() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.synthetic.count=5", "plugins.batcher.name=continuous",
                "plugins.batcher.params.max_num_seqs=64"));
        var runDir = work.resolve("run");
        ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null));
        var batcher = Json.MAPPER.readTree(runDir.resolve("run.json").toFile()).get("plugins").get("batcher").get("params");
        // then: the value given and the defaults it ran with (only the given ones were recorded)
        assertEquals(64, batcher.get("max_num_seqs").asInt());
        org.junit.jupiter.api.Assertions.assertTrue(batcher.size() > 1, batcher.toString());
        var names = keys(batcher);
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void theTraceIsDescribedAsJsonObjectsNotAsJavaMapsPrinted() throws Exception {
        // given: a synthetic workload whose arrivals are written rate first (Map.copyOf's order varies by JVM)
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.synthetic.count=5", "trace.synthetic.arrivals.rate=9",
                "trace.synthetic.arrivals.process=poisson", "trace.transforms.time_scale=0.5"));
        var runDir = work.resolve("run");
        // when
        ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null));
        // then: objects in a fixed order, the kind first in each map
        var trace = Json.MAPPER.readTree(runDir.resolve("run.json").toFile()).get("trace");
        var synthetic = trace.get("synthetic");
        assertEquals(List.of("count", "arrivals", "input", "output", "tenants"), keys(synthetic));
        assertEquals(List.of("process", "rate"), keys(synthetic.get("arrivals")));
        assertEquals(9.0, synthetic.get("arrivals").get("rate").asDouble());
        assertEquals(List.of("dist", "max", "mean", "min", "sigma"), keys(synthetic.get("input")));
        assertEquals(List.of("window_s", "first", "time_scale", "target_rate", "shared_prefix"),
                keys(trace.get("transforms")));
        assertEquals(0.5, trace.get("transforms").get("time_scale").asDouble());
    }

    @Test
    void whatTheTablesHoldAndTheFaultsInjectedAreRecorded() throws Exception {
        // given: iteration rows thinned to every 5th and a straggler on replica 1
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.synthetic.count=5", "replicas=2", "record.iteration_every=5",
                "faults=[{kind: straggle, from_ms: 0, to_ms: 250, replica: 1, factor: 2}]"));
        var runDir = work.resolve("run");
        // when
        ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null));
        // then: run.json says both (a thinned iterations.arrow could not be told from a whole one)
        var info = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        assertEquals(List.of("iteration_every", "cluster_interval_ms", "scheduler_cpu", "router_cpu"), keys(info.get("record")));
        assertEquals(5, info.get("record").get("iteration_every").asInt());
        var fault = info.get("faults").get(0);
        assertEquals(List.of("kind", "replica", "from_ms", "to_ms", "factor"), keys(fault));
        assertEquals("straggle", fault.get("kind").asText());
        assertEquals(250.0, fault.get("to_ms").asDouble());
        assertEquals(1, info.get("faults").size());
    }

    @Test
    void aTraceFilesSkippedRowsAreCountedPerReasonAsAnObject() throws Exception {
        // given: an Azure-format file with one row that asks for 0 output tokens
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var csv = work.resolve("t.csv");
        java.nio.file.Files.writeString(csv, "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,100,10\n2023-11-16 18:15:47.0000000,100,0\n"
                + "2023-11-16 18:15:48.0000000,50,5\n");
        var exp = ExperimentFile.load(null, List.of("trace.file=" + csv, "trace.format=azure-csv"));
        var runDir = work.resolve("run");
        // when
        ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null));
        // then
        var trace = Json.MAPPER.readTree(runDir.resolve("run.json").toFile()).get("trace");
        var skipped = trace.get("rows_skipped");
        assertEquals(List.of("wrong_column_count", "bad_value", "out_of_order", "zero_tokens"), keys(skipped));
        assertEquals(1, skipped.get("zero_tokens").asLong());
        assertEquals(2, trace.get("rows_read").asLong());
    }
}
