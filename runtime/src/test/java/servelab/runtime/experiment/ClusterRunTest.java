package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Json;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.ClusterSummary;
import servelab.runtime.report.RunResults;

/** Cluster experiments end to end: groups of different hardware, network delays, the time series and summary. */
class ClusterRunTest {
    private static final List<String> FOUR = List.of("seed=3", "replicas=4", "trace.synthetic.count=400",
            "trace.synthetic.arrivals.rate=40", "record.cluster_interval_ms=20");

    @TempDir Path work;

    private RunResults run(List<String> overrides, String folder) throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var result = ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve(folder),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        return RunResults.load(result.runDir());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aGapOfYearsBetweenEventsStopsTheRunInsteadOfWritingIdleRowsForHours() throws Exception {
        // a client-router delay of 1e12 ms (within its range): the series wrote 100 ms rows for 31 years of nothing
        var e = assertThrows(servelab.runtime.engine.EngineException.class, () -> run(List.of("replicas=2", "trace.synthetic.count=5",
                "cluster.network.client_router={dist: fixed, ms: 1e12}"), "years"));
        assertTrue(e.getMessage().startsWith("cluster.arrow: the next event, at 1.0E9 s, is "), e.getMessage());
        assertTrue(e.getMessage().endsWith("each tick writes 3 rows: give record.cluster_interval_ms a value that spans "
                + "such gaps in fewer than 10000000 ticks"), e.getMessage());
        // the folder says the run stopped, and why; every request has its row
        var info = servelab.runtime.record.Json.MAPPER.readTree(work.resolve("years/run.json").toFile());
        assertTrue(info.get("aborted").asText().startsWith("cluster.arrow: the next event"), info.toString());
        assertEquals(5, RunResults.load(work.resolve("years")).requests().rowCount());
    }

    @Test
    void aGroupsOwnPrefixCacheGivesTheClusterItsHitRatioThoughTheRunsIsNone() throws Exception {
        var results = run(List.of("replicas=2", "trace.synthetic.count=60", "trace.transforms.shared_prefix.prompts=2",
                "trace.transforms.shared_prefix.tokens=512", "trace.transforms.shared_prefix.share=0.9",
                "cluster.groups=[{name: plain, count: 1}, {name: cached, count: 1, plugins: {prefix-cache: {name: radix}}}]"),
                "groups");
        var summary = ClusterSummary.compute(results).orElseThrow();
        // it was null: the run's own prefix cache is none, but the second group's is radix, and it hit
        assertTrue(summary.prefixHitRatio() > 0, "ratio " + summary.prefixHitRatio());
        var json = servelab.runtime.record.Json.MAPPER.readTree(results.dir().resolve("summary.json").toFile());
        assertEquals(summary.prefixHitRatio(), json.get("cluster_prefix_hit_ratio").asDouble(), 1e-12);
    }

    @Test
    void aFourReplicaRunWritesTheTimeSeriesAndLittlesLawHolds() throws Exception {
        var results = run(FOUR, "four");
        var cluster = results.table(ResultTable.CLUSTER).orElseThrow();
        // then: 5 rows per tick (the front and four replicas), every request served, round robin spreads evenly
        assertEquals(0, cluster.rowCount() % 5);
        var summary = ClusterSummary.compute(results).orElseThrow();
        assertEquals(4, summary.replicas());
        assertEquals(1.0, summary.loadImbalance(), 1e-9); // 400 requests, 100 each
        assertEquals(1.0, summary.littleRatio(), 0.01, "L = " + summary.meanInSystem() + ", lambda W = "
                + summary.arrivalRate() * summary.meanTimeInSystemS());
        assertTrue(Files.readString(results.dir().resolve("summary.json")).contains("\"little_ratio\""));
        // λ is the requests over the time the ticks cover: the row at 0 covers none (it was counted, λ one interval low)
        var time = cluster.longs("time_ns");
        long interval = cluster.longs("interval_ns")[0];
        assertEquals(0L, time[0]);
        double coveredS = (time[time.length - 1] - time[0]) / 1e9;
        assertEquals(coveredS, (time.length / 5 - 1) * interval / 1e9, 1e-9, "ticks on the grid");
        assertEquals(results.requests().rowCount() / coveredS, summary.arrivalRate(), 1e-9);
        // and no prefix cache took part (the default none): the ratio is n/a, as the report says, not 0
        assertTrue(Double.isNaN(summary.prefixHitRatio()));
        var json = servelab.runtime.record.Json.MAPPER.readTree(results.dir().resolve("summary.json").toFile());
        assertTrue(json.get("cluster_prefix_hit_ratio").isNull(), json.toString());
    }

    @Test
    void consistentHashingSpreadsRequestsThatBelongToNoSession() throws Exception {
        // given: a trace without tenants or prefixes, and a ring whose load bound never binds
        var hashed = new ArrayList<>(FOUR);
        hashed.addAll(List.of("trace.synthetic.count=200", "plugins.router.name=consistent-hash",
                "plugins.router.params.load_factor=100"));
        TestBundles.clusterPlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        for (var key : List.of("auto", "none")) {
            hashed.add("cluster.session_key=" + key);
            var replicas = run(hashed, "hashed-" + key).requests().longs("replica");
            // then: each request is its own session, so they spread over the ring (all 200 went to one replica)
            var served = new int[4];
            for (long r : replicas) served[(int) r]++;
            for (int r = 0; r < 4; r++) assertTrue(served[r] >= 20, key + ": " + java.util.Arrays.toString(served));
        }
    }

    @Test
    void replicasTheAutoscalerNeverStartedAreNoPartOfTheImbalance() throws Exception {
        // given: a fleet of up to 4 that never grows (a light load)
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        Files.copy(TestBundles.resiliencePlugins(work.resolve("resilience")).resolve("autoscaler.jar"),
                plugins.resolve("autoscaler.jar"));
        var results = run(List.of("seed=3", "replicas=4", "trace.synthetic.count=40", "trace.synthetic.arrivals.rate=2",
                "autoscaling={min: 1, max: 4, initial: 1, interval_ms: 5000}", "plugins.autoscaler.name=target-queue"),
                "never-grew");
        // then: one replica served everything: even, 1.0 (it read 4.000: the max over a mean of four, three never on)
        var json = Json.MAPPER.readTree(results.dir().resolve("summary.json").toFile());
        assertEquals(1.0, json.get("load_imbalance").asDouble(), 1e-12);
        assertEquals(1.0, json.get("load_imbalance_tokens").asDouble(), 1e-12);
        assertEquals(1.0, ClusterSummary.compute(results).orElseThrow().loadImbalance(), 1e-12, "the report's figure");
        assertEquals(4, json.get("replicas").asInt());
    }

    @Test
    void degradingToAGroupWithNoAvailableReplicaCapsAloneAndAMisspeltGroupIsRefusedAtLoad() throws Exception {
        var groups = "cluster.groups=[{name: big, count: 1}, {name: small, count: 1}]";
        var misspelt = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of("replicas=2",
                groups, "plugins.admission.name=degrade", "plugins.admission.params.group=smal")));
        assertTrue(misspelt.getMessage().contains("plugins.admission.params.group 'smal' is not a replica group; groups: "
                + "big, small"), misspelt.getMessage());
        // given: the small group partitioned the whole run, and every request degraded (threshold 0, cap 5 tokens)
        TestBundles.clusterPlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var requests = run(List.of("seed=3", "replicas=2", groups, "plugins.admission.name=degrade",
                "plugins.admission.params.group=small", "plugins.admission.params.load_threshold=0",
                "plugins.admission.params.max_tokens=5", "faults=[{kind: partition, from_ms: 0, to_ms: 1000000, replica: 1}]",
                "trace.synthetic.count=30", "trace.synthetic.arrivals.rate=20"), "degrade-partitioned").requests();
        // then: the run goes on, each request capped on the big group (the plugin threw, and the run stopped)
        var errors = requests.strings("error");
        long[] replica = requests.longs("replica"), output = requests.longs("output_tokens");
        for (int i = 0; i < requests.rowCount(); i++) {
            assertEquals("", errors.get(i));
            assertEquals(0, replica[i]);
            assertTrue(output[i] <= 5, "output " + output[i]);
        }
        assertEquals(30, requests.rowCount());
    }

    @Test
    void requestsTheGatewayEndedCountInLittlesLawUntilTheClientKnew() throws Exception {
        var overloaded = new ArrayList<>(FOUR);
        overloaded.addAll(List.of("trace.synthetic.arrivals.rate=200", "gateway.timeout_ms=3000"));
        var results = run(overloaded, "timeouts");
        var requests = results.requests();
        long[] arrival = requests.longs("arrival_ns"), completion = requests.longs("completion_ns");
        long[] ended = requests.longs("ended_ns");
        var outcome = requests.strings("outcome");
        int timedOut = 0, completed = 0;
        for (int i = 0; i < requests.rowCount(); i++) {
            // then: a completed request ended at the client's completion, a timed-out one at its deadline
            switch (outcome.get(i)) {
                case "completed" -> {
                    assertEquals(completion[i], ended[i]);
                    completed++;
                }
                case "timed_out" -> {
                    assertEquals(arrival[i] + 3_000_000_000L, ended[i]);
                    timedOut++;
                }
                default -> assertTrue(ended[i] >= arrival[i]);
            }
        }
        assertTrue(timedOut > 50 && completed > 50, timedOut + " timed out, " + completed + " completed");
        var summary = ClusterSummary.compute(results).orElseThrow();
        assertEquals(1.0, summary.littleRatio(), 0.01, "L = " + summary.meanInSystem() + ", lambda W = "
                + summary.arrivalRate() * summary.meanTimeInSystemS());
        assertEquals(summary.littleRatio(), ClusterSummary.compute(results.dir()).orElseThrow().littleRatio(), 1e-12);
    }

    @Test
    void networkDelaysAreSeededAndAddToWhatTheClientSees() throws Exception {
        var delayed = new ArrayList<>(FOUR);
        delayed.addAll(List.of("cluster.network.client_router.ms=2", "cluster.network.replica_client.dist=uniform",
                "cluster.network.replica_client.min_ms=1", "cluster.network.replica_client.max_ms=3"));
        var a = run(delayed, "a");
        var b = run(delayed, "b");
        var base = run(FOUR, "base");
        // then: the same seed gives the same draws; every request reached the router 2 ms after it arrived
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.requests().longs("completion_ns"),
                b.requests().longs("completion_ns"));
        long[] arrival = a.requests().longs("arrival_ns"), atRouter = a.requests().longs("router_arrival_ns");
        for (int i = 0; i < arrival.length; i++) assertEquals(arrival[i] + 2_000_000, atRouter[i]);
        assertTrue(a.requests().doubles("ttft_ms")[0] > base.requests().doubles("ttft_ms")[0]);
        assertEquals(1.0, ClusterSummary.compute(a).orElseThrow().littleRatio(), 0.01);
        // run.json has the delays as the experiment wrote them (it had Java's text: Fixed[nanos=2000000])
        var network = Json.MAPPER.readTree(work.resolve("a/run.json").toFile()).get("cluster").get("network");
        assertEquals("{\"client_router\":{\"dist\":\"fixed\",\"ms\":2.0},\"router_replica\":{\"dist\":\"fixed\","
                + "\"ms\":0.0},\"replica_client\":{\"dist\":\"uniform\",\"min_ms\":1.0,\"max_ms\":3.0}}", network.toString());
    }

    @Test
    void theReplicaLoadChartOfManyReplicasDrawsTheirSpreadNotALineEach() throws Exception {
        // 1,000 replicas drew 1,000 lines (and report took minutes in XChart's legend): past 16, least, mean and most
        var results = run(List.of("seed=3", "replicas=20", "trace.synthetic.count=40"), "twenty");
        var chart = servelab.runtime.report.runs.ClusterCharts.replicaLoad(List.of(
                new servelab.runtime.report.NamedRun("twenty", results)));
        assertEquals(List.of("twenty mean of 20 replicas", "twenty least", "twenty most"),
                chart.getSeriesCollection().stream().map(x -> x.getName()).toList());
        // and so do the per-iteration charts (1,000 replicas drew a chart 20,000 pixels high)
        var batch = servelab.runtime.report.runs.RunCharts.batchSize(List.of(
                new servelab.runtime.report.NamedRun("twenty", results)));
        var names = batch.getSeriesCollection().stream().map(x -> x.getName()).toList();
        assertEquals("twenty mean of 20 replicas", names.getFirst(), names.toString());
        assertTrue(names.size() <= 3 && names.stream().noneMatch(n -> n.startsWith("twenty r")), names.toString());
        var few = servelab.runtime.report.runs.ClusterCharts.replicaLoad(List.of(
                new servelab.runtime.report.NamedRun("two", run(List.of("seed=3", "replicas=2",
                        "trace.synthetic.count=40"), "two-replicas"))));
        assertEquals(List.of("two r0", "two r1"), few.getSeriesCollection().stream().map(x -> x.getName()).toList());
    }

    @Test
    void runJsonGivesAGroupsKvBlocksWhenItsProfileSetsThem() throws Exception {
        // run.json said kv_blocks 0 for a group that took its profile's default, which the cluster table contradicted
        var results = run(List.of("seed=3", "trace.synthetic.count=20", "cluster.groups=[{name: small, count: 1, profile:"
                + " tiny/cpu}, {name: h100, count: 1}]"), "defaults");
        var info = Json.MAPPER.readTree(work.resolve("defaults/run.json").toFile());
        var groups = info.get("cluster").get("groups");
        var cluster = results.table(ResultTable.CLUSTER).orElseThrow();
        long[] replica = cluster.longs("replica"), total = cluster.longs("kv_blocks_total");
        for (int i = 0; i < cluster.rowCount(); i++) {
            if (replica[i] < 0) continue;
            assertEquals(total[i], groups.get((int) replica[i]).get("kv_blocks").asLong(), groups.toString());
        }
        assertTrue(groups.get(0).get("kv_blocks").asLong() != groups.get(1).get("kv_blocks").asLong(), groups.toString());
        // and kv.blocks is replica 0's (it was the top-level profile's, 27,807 here, which replica 0 does not hold)
        assertEquals(groups.get(0).get("kv_blocks").asLong(), info.get("kv").get("blocks").asLong());
    }

    @Test
    void groupsRunOnTheirOwnHardwareAndKvSize() throws Exception {
        var grouped = List.of("seed=3", "trace.synthetic.count=200", "trace.synthetic.arrivals.rate=20",
                "cluster.groups=[{name: fast, count: 2, profile: llama-3-8b/h100-80gb, kv_blocks: 900},"
                        + " {name: slow, count: 1, profile: llama-3-8b/a100-80gb, kv_blocks: 500,"
                        + " plugins: {scheduler: {name: sjf, params: {key: prompt}}}}]");
        var results = run(grouped, "groups");
        // run.json says which plugins a group ran where they differ from the run's (they were nowhere in the file)
        var info = Json.MAPPER.readTree(work.resolve("groups/run.json").toFile());
        var groupInfo = info.get("cluster").get("groups");
        assertTrue(groupInfo.get(0).path("plugins").isMissingNode(), groupInfo.toString());
        var sjf = groupInfo.get(1).get("plugins").get("scheduler");
        assertEquals("sjf@1.0.0", sjf.get("plugin").asText(), groupInfo.toString());
        assertEquals("prompt", sjf.get("params").get("key").asText());
        assertTrue(sjf.get("params").has("noise_sigma"), "defaults included: " + sjf);
        assertEquals("fcfs@1.0.0", info.get("plugins").get("scheduler").get("plugin").asText());
        var cluster = results.table(ResultTable.CLUSTER).orElseThrow();
        var groups = cluster.strings("group");
        long[] replica = cluster.longs("replica"), total = cluster.longs("kv_blocks_total");
        for (int i = 0; i < cluster.rowCount(); i++) {
            if (replica[i] < 0) continue;
            assertEquals(replica[i] < 2 ? "fast" : "slow", groups.get(i));
            assertEquals(replica[i] < 2 ? 900 : 500, total[i]);
        }
        // the slower GPU takes longer per step: its mean step is longer than a fast replica's
        var it = results.table(ResultTable.ITERATIONS).orElseThrow();
        long[] itReplica = it.longs("replica");
        double[] duration = it.doubles("duration_ms");
        double fast = 0, slow = 0;
        int nFast = 0, nSlow = 0;
        for (int i = 0; i < it.rowCount(); i++) {
            if (itReplica[i] == 2) { slow += duration[i]; nSlow++; } else { fast += duration[i]; nFast++; }
        }
        assertTrue(slow / nSlow > fast / nFast, "a100 " + slow / nSlow + " ms vs h100 " + fast / nFast + " ms");
    }

    @Test
    void unnamedGroupsAreNamedByTheirIndexAndANameCannotTakeOne() {
        // two unnamed groups were refused ("cluster.groups[1].name 'null' is used twice")
        var exp = ExperimentFile.load(null, List.of("replicas=2", "cluster.groups=[{count: 1}, {count: 1}]"));
        assertEquals(List.of("g0", "g1"), Experiment.groupNames(exp.cluster()));
        var e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of("replicas=2",
                "cluster.groups=[{count: 1}, {name: g0, count: 1}]")));
        assertTrue(e.getMessage().contains("cluster.groups[1].name 'g0' is used twice"), e.getMessage());
    }

    @Test
    void badClusterSettingsNameTheirKey() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of("replicas=4",
                "cluster.groups=[{name: a, count: 2}, {name: b, count: 1}]")));
        assertTrue(e1.getMessage().contains("cluster.groups") && e1.getMessage().contains("add up to 3"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> ExperimentFile.load(null, List.of("cluster.session_key=conversation_id")));
        assertTrue(e2.getMessage().contains("cluster.session_key 'conversation_id'"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> ExperimentFile.load(null, List.of("cluster.network.router_replica.ms=-1")));
        assertTrue(e3.getMessage().contains("cluster.network.router_replica.ms must be in [0, 1e12] ms"), e3.getMessage());
        // keys of another distribution were accepted and dropped, and a written 0 interval became 100 ms
        var wrongDist = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null,
                List.of("cluster.network.client_router.ms=1", "cluster.network.client_router.sigma=3")));
        assertTrue(wrongDist.getMessage().contains("cluster.network.client_router.sigma does not apply to dist fixed; "
                + "accepted there: dist, ms"), wrongDist.getMessage());
        var zero = assertThrows(IllegalArgumentException.class,
                () -> ExperimentFile.load(null, List.of("record.cluster_interval_ms=0")));
        assertTrue(zero.getMessage().contains("record.cluster_interval_ms must be in [1, 1e12] ms"), zero.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> ExperimentFile.load(null, List.of("cluster.view_refresh_ms=-5")));
        assertTrue(e4.getMessage().contains("cluster.view_refresh_ms"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null,
                List.of("cluster.groups=[{name: a, count: 1, plugins: {router: {name: random}}}]")));
        assertTrue(e5.getMessage().contains("cluster.groups.a.plugins.router"), e5.getMessage());
    }

    @Test
    void theReportChartsPerReplicaLoadAndComparesRouting() throws Exception {
        var a = run(FOUR, "rr");
        var skewed = new ArrayList<>(FOUR);
        skewed.add("cluster.groups=[{name: big, count: 1, kv_blocks: 3000}, {name: small, count: 3, kv_blocks: 300}]");
        var b = run(skewed, "groups");
        var out = work.resolve("report");
        var written = servelab.runtime.report.runs.RunReport.write(servelab.runtime.report.NamedRun.load(
                List.of(a.dir(), b.dir())), out, java.util.Optional.empty());
        var md = Files.readString(written.markdown());
        // then: a cluster section with each run's imbalance as ClusterSummary computes it, and the two charts
        assertTrue(md.contains("## Cluster"), md);
        String imbalance = String.format(java.util.Locale.ROOT, "%.3f",
                ClusterSummary.compute(a).orElseThrow().loadImbalance());
        assertTrue(md.contains("| " + imbalance + " |"), md);
        for (var png : List.of("replica-load.png", "routing-comparison.png")) {
            assertTrue(Files.size(out.resolve(png)) > 10_000, png);
            assertTrue(md.contains(png), png);
        }
    }
}
