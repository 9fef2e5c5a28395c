package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.ControlClient;
import servelab.api.PluginKind;
import servelab.plugins.batching.chunkedprefill.ChunkedPrefillBatcher;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.eviction.LruEviction;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.plugins.caching.prefix.NoPrefixCache;
import servelab.runtime.engine.Simulation;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.Plugin;
import servelab.runtime.host.PluginIndex;
import servelab.runtime.host.PluginSelection;
import servelab.runtime.host.Testbed;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.schedulers.sjf.ShortestJobFirstScheduler;

/**
 * A run started by the launcher ({@code -Dservelab.home}, whose {@code target/plugin-index} remembers what each jar
 * provides) deploys only the jars of the plugins it selects, and the others when the control port asks for them.
 */
class SelectedBundlesTest {
    @TempDir Path work;
    private Path plugins;

    @BeforeEach
    void plugins() throws IOException {
        // the default plugins' jars, with sjf and chunked-prefill beside them
        plugins = Files.createDirectories(work.resolve("plugins"));
        for (var plugin : List.of(FcfsScheduler.class, ShortestJobFirstScheduler.class, ContinuousBatcher.class,
                ChunkedPrefillBatcher.class, PagedKvAllocator.class, NoPrefixCache.class, LruEviction.class)) {
            TestBundles.drop(plugins, plugin.getSimpleName() + ".jar", TestBundles.bundleOf(plugin));
        }
    }

    @Test
    void aTestbedDeploysEveryJarUntilTheIndexKnowsThemThenOnlyThoseOfTheSelectedPlugins() {
        var index = PluginIndex.in(work.resolve("index"));
        var selected = List.of(PluginSelection.of(PluginKind.SCHEDULER, "fcfs"),
                PluginSelection.of(PluginKind.BATCHER, "continuous"));
        // given: an empty index; a testbed deploys all seven jars, and the index learns what each provides
        assertEquals(7, deployedJars(index, selected).size());
        // when: a testbed starts again for fcfs and continuous
        var deployed = deployedJars(index, selected);
        // then: only their two jars were deployed: not sjf's, not chunked-prefill's, not the KV ones
        assertEquals(List.of("ContinuousBatcher.jar", "FcfsScheduler.jar"), List.copyOf(deployed));
        // and without an index every jar is, as before
        assertEquals(7, deployedJars(PluginIndex.NONE, selected).size());
    }

    @Test
    void aNameNoJarProvidesListsEveryInstalledPluginNotOnlyTheRunsOwn() {
        var index = PluginIndex.in(work.resolve("index"));
        deployedJars(index, List.of(PluginSelection.of(PluginKind.SCHEDULER, "fcfs"))); // the index learns
        // when: a testbed starts for a scheduler no jar provides (a typo)
        var typo = List.of(PluginSelection.of(PluginKind.SCHEDULER, "sjff"));
        try (var testbed = Testbed.startFor(plugins, (type, kind, from, to, detail) -> {}, typo, index)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(servelab.runtime.host.PluginException.class,
                    () -> testbed.registry().createSlots(1, java.util.Map.of(PluginKind.SCHEDULER, typo.getFirst())));
            // then: every installed scheduler is named (only fcfs@1.0.0, the one the index deployed, was)
            assertEquals("unknown scheduler 'sjff'; installed: fcfs@1.0.0, sjf@1.0.0", e.getMessage());
            // and only the schedulers' jars were deployed for it, not the five of other kinds (all seven were)
            assertEquals(Set.of("FcfsScheduler.jar", "ShortestJobFirstScheduler.jar"), testbed.registry().installed()
                    .stream().map(Plugin::source).filter(s -> s.endsWith(".jar")).collect(Collectors.toSet()));
        }
    }

    private Set<String> deployedJars(PluginIndex index, List<PluginSelection> selected) {
        try (var testbed = Testbed.startFor(plugins, (type, kind, from, to, detail) -> {}, selected, index)) {
            return testbed.registry().installed().stream().map(Plugin::source).filter(s -> s.endsWith(".jar"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aSwitchToAPluginWhoseJarWasNotDeployedDeploysItAndSwaps() throws Exception {
        run("teach", (replica, end) -> {});
        var answers = new ArrayList<String>();
        var swappedAt = new ArrayList<Long>();
        // when: halfway through a run that deployed only its five jars, the control port lists the plugins and
        // switches the scheduler to sjf
        var runDir = work.resolve("swap");
        var deployed = run("swap", (replica, end) -> {
            if (swappedAt.isEmpty() && replica.completed() >= 100) {
                answers.add(ControlClient.send(runDir, "switch scheduler sjf"));
                answers.add(ControlClient.send(runDir, "plugins"));
                swappedAt.add(replica.iterations());
            }
        });
        // then: sjf's jar was deployed for the switch (the run had left it and chunked-prefill's undeployed), which
        // took effect, and the listing deployed and names the jar never asked for
        assertEquals("scheduler fcfs@1.0.0 -> sjf@1.0.0 {key=oracle, noise_sigma=0.5, seed=0}\nok", answers.get(0));
        assertTrue(answers.get(1).contains("chunked-prefill@1.0.0"), answers.get(1));
        assertEquals(List.of("ChunkedPrefillBatcher.jar", "ShortestJobFirstScheduler.jar"), List.copyOf(deployed));
        var iterations = RunResults.load(runDir).table(ResultTable.ITERATIONS).orElseThrow();
        long[] numbers = iterations.longs("iteration");
        for (int i = 0; i < numbers.length; i++) {
            assertEquals(numbers[i] >= swappedAt.getFirst() ? "sjf@1.0.0" : "fcfs@1.0.0",
                    iterations.strings("scheduler").get(i), "iteration " + numbers[i]);
        }
    }

    @Test
    void aSwitchToAnUnknownPluginListsEveryInstalledOneNotOnlyTheRunsOwn() throws Exception {
        run("teach", (replica, end) -> {});
        var answers = new ArrayList<String>();
        var runDir = work.resolve("unknown");
        var deployed = run("unknown", (replica, end) -> {
            if (answers.isEmpty() && replica.completed() >= 100) answers.add(ControlClient.send(runDir, "switch scheduler nosuch"));
        });
        // it said "unknown scheduler 'nosuch'; installed: fcfs@1.0.0" (sjf's jar had not been deployed)
        assertTrue(answers.getFirst().contains("unknown scheduler 'nosuch'; installed: ") && answers.getFirst().contains("sjf@1.0.0"),
                answers.getFirst());
        // and only sjf's jar was deployed (and recorded) to name it, not chunked-prefill's, a batcher's
        assertEquals(List.of("ShortestJobFirstScheduler.jar"), List.copyOf(deployed));
    }

    /**
     * A 200-request synthetic run on the default plugins, as the launcher starts it; the jars deployed while it ran
     * (the initial deployment is not reported as it goes).
     */
    private ConcurrentSkipListSet<String> run(String name, Simulation.StepListener hook) throws IOException {
        var deployed = new ConcurrentSkipListSet<String>();
        var experiment = ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=200",
                "trace.synthetic.arrivals.rate=30"));
        String before = System.getProperty("servelab.home");
        System.setProperty("servelab.home", work.resolve("home").toString());
        try {
            ExperimentRunner.run(experiment, work.resolve(name), new ExperimentRunner.Options(plugins,
                    (type, kind, from, to, detail) -> {
                        if (type.equals("deploy")) deployed.add(detail.substring(0, detail.indexOf(':')));
                    }, null, hook));
        } finally {
            if (before == null) System.clearProperty("servelab.home");
            else System.setProperty("servelab.home", before);
        }
        return deployed;
    }
}
