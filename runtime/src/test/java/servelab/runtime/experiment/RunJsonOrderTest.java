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
                "duplicate_executions_avoided", "phases_s"), keys(info.get("result")));
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
}
