package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.report.RunResults;

/** The router and admission bundles, loaded by the OSGi host from jars, drive a three-replica run. */
class ClusterPluginsTest {
    @TempDir Path work;

    @Test
    void boundedQueueRejectsWithItsReasonAndLeastRequestsUsesEveryReplica() throws Exception {
        // given: 300 requests at 60/s on three replicas, waiting queues bounded at 2 requests
        var plugins = TestBundles.clusterPlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var overrides = List.of("seed=7", "profile=llama-3-8b/h100-80gb", "kv.blocks=600", "replicas=3",
                "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=60",
                "plugins.router.name=least-requests", "plugins.admission.name=bounded-queue",
                "plugins.admission.params.max_waiting_per_replica=2");
        // when
        var result = ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve("run"),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        // then: every request has a row; the rejected ones carry the bundle's reason, the rest ran on all replicas
        var requests = RunResults.load(result.runDir()).requests();
        assertEquals(300, requests.longs("request_id").length);
        var errors = requests.strings("error");
        long rejected = errors.stream().filter(e -> e.startsWith("rejected by admission bounded-queue@1.0.0: every"
                + " available replica's queue is full: max_waiting_per_replica 2")).count();
        assertTrue(rejected > 0, "no request was rejected: " + errors.stream().distinct().toList());
        assertEquals(rejected, errors.stream().filter(e -> !e.isEmpty()).count(), "other errors: " + errors);
        var served = Arrays.stream(requests.longs("replica")).filter(r -> r >= 0).distinct().sorted().toArray();
        assertEquals("[0, 1, 2]", Arrays.toString(served));
    }
}
