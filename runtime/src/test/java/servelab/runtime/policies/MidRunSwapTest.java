package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.ControlClient;
import servelab.plugins.batching.chunkedprefill.ChunkedPrefillBatcher;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.schedulers.sjf.ShortestJobFirstScheduler;

/**
 * Policies switched while a run goes on, through the whole path a user takes: the OSGi host with the plugin jars,
 * an experiment, and the run's control port ({@code servelab ctl switch}).
 */
class MidRunSwapTest {
    @TempDir Path work;

    @Test
    void fcfsAndContinuousSwitchedToSjfAndChunkedPrefillHalfwayFinishEveryRequestAndSplitTheIterations()
            throws Exception {
        // given: a 300-request synthetic run on fcfs + continuous, with sjf and chunked-prefill installed beside them
        var plugins = Files.createDirectories(work.resolve("plugins"));
        for (var plugin : List.of(FcfsScheduler.class, ShortestJobFirstScheduler.class, ContinuousBatcher.class,
                ChunkedPrefillBatcher.class, PagedKvAllocator.class, servelab.plugins.caching.prefix.NoPrefixCache.class,
                servelab.plugins.caching.eviction.LruEviction.class)) {
            TestBundles.drop(plugins, plugin.getSimpleName() + ".jar", TestBundles.bundleOf(plugin));
        }
        var runDir = work.resolve("run");
        var answers = new ArrayList<String>();
        var swappedAt = new ArrayList<Long>();
        var experiment = ExperimentFile.load(null, List.of("seed=3", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30"));
        // when: half the requests are done, switch both slots over the control port
        ExperimentRunner.run(experiment, runDir, new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null,
                (replica, end) -> {
                    if (swappedAt.isEmpty() && replica.completed() >= 150) {
                        answers.add(ControlClient.send(runDir, "switch scheduler sjf"));
                        answers.add(ControlClient.send(runDir, "switch batcher chunked-prefill"));
                        answers.add(ControlClient.send(runDir, "switch prefix-cache none"));
                        swappedAt.add(replica.iterations());
                    }
                }));
        // then: both switches were accepted
        // each answer lists the parameters the new plugin got, defaults included
        assertEquals(List.of("scheduler fcfs@1.0.0 -> sjf@1.0.0 {key=oracle, noise_sigma=0.5, seed=0}\nok",
                "batcher continuous@1.0.0 -> chunked-prefill@1.0.0 {chunk_size=512, max_num_batched_tokens=512, "
                        + "max_num_seqs=256, preempt_mode=recompute, speculative_disable_by_batch_size=0}\nok",
                // a plugin without parameters too ({} was left out, one shape less for a script to parse)
                "prefix-cache none@1.0.0 -> none@1.0.0 {}\nok"), answers);
        long swap = swappedAt.getFirst();
        var results = RunResults.load(runDir);
        // every request finished, none failed
        assertEquals(300, results.requests().longs("request_id").length);
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
        // the swaps are events of the iteration they took effect in
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var swaps = new ArrayList<String>();
        for (int i = 0; i < events.strings("type").size(); i++) {
            if (events.strings("type").get(i).equals("swap")) {
                swaps.add(events.longs("iteration")[i] + " " + events.strings("kind").get(i) + " "
                        + events.strings("from_value").get(i) + " " + events.strings("to_value").get(i));
            }
        }
        assertEquals(List.of(swap + " scheduler fcfs@1.0.0 sjf@1.0.0", swap + " batcher continuous@1.0.0 chunked-prefill@1.0.0",
                swap + " prefix-cache none@1.0.0 none@1.0.0"), swaps);
        // and each iteration names its policies, so the two halves separate by iteration number
        var iterations = results.table(ResultTable.ITERATIONS).orElseThrow();
        long[] numbers = iterations.longs("iteration");
        long[] prefill = iterations.longs("prefill_tokens");
        long[] decode = iterations.longs("decode_tokens");
        int before = 0, after = 0;
        for (int i = 0; i < numbers.length; i++) {
            boolean late = numbers[i] >= swap;
            assertEquals(late ? "sjf@1.0.0" : "fcfs@1.0.0", iterations.strings("scheduler").get(i), "iteration " + numbers[i]);
            assertEquals(late ? "chunked-prefill@1.0.0" : "continuous@1.0.0", iterations.strings("batcher").get(i));
            if (late) {
                after++;
                // chunked-prefill's default budget: no step after the swap computes more than 512 tokens
                assertTrue(prefill[i] + decode[i] <= 512, "iteration " + numbers[i] + ": " + (prefill[i] + decode[i]));
            } else {
                before++;
            }
        }
        assertTrue(before > 0 && after > 0, before + " iterations before the swap, " + after + " after");
    }

    @Test
    void anAutoscalerSwitchInARunWithoutAutoscalingIsRefused() throws Exception {
        var plugins = TestBundles.resiliencePlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var runDir = work.resolve("fixed");
        var answers = new ArrayList<String>();
        ExperimentRunner.run(ExperimentFile.load(null, List.of("replicas=2", "trace.synthetic.count=40")), runDir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, (replica, end) -> {
                    if (answers.isEmpty()) answers.add(ControlClient.send(runDir, "switch autoscaler target-queue"));
                }));
        // it was answered "autoscaler none -> target-queue" and never asked: a fixed fleet has no autoscaling block
        assertTrue(answers.getFirst().contains("never consults its autoscaler slot: the experiment has no autoscaling: "
                + "block"), answers.getFirst());
    }

    @Test
    void aSwitchToDegradeWithAGroupTheClusterLacksIsRefusedAsAtLoad() throws Exception {
        var plugins = TestBundles.clusterPlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var runDir = work.resolve("groups");
        var answers = new ArrayList<String>();
        ExperimentRunner.run(ExperimentFile.load(null, List.of("replicas=2", "trace.synthetic.count=40",
                "cluster.groups=[{name: big, count: 1}, {name: small, count: 1}]")), runDir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, (replica, end) -> {
                    if (answers.isEmpty()) {
                        answers.add(ControlClient.send(runDir, "switch admission degrade group=smal"));
                        answers.add(ControlClient.send(runDir, "switch admission degrade group=small"));
                    }
                }));
        // the misspelt group was answered as a swap, and the plugin then degraded nothing, silently
        assertTrue(answers.getFirst().contains("parameter 'group': 'smal' is not a replica group; groups: big, small"),
                answers.getFirst());
        assertTrue(answers.getLast().contains("admission accept-all@1.0.0 -> degrade@"), answers.getLast());
    }
}
