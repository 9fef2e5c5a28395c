package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.datasets.TraceRequest;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.ToyCost;

/** The plugin the README tells readers to copy compiles, deploys, and schedules shortest prompts first. */
class ReadmeExampleTest {
    @TempDir Path work;

    @Test
    void theReadmePluginRunsAsAScheduler() throws Exception {
        var readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        var block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has a java block");
        var source = block.group(1);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "shortest-prompt.jar", TestBundles.bundle(work,
                "servelab.schedulers.shortestprompt.ShortestPromptScheduler", source, "1.0.0"));
        try (var testbed = Testbed.start(plugins, (t, k, f, to, d) -> {})) {
            var slots = testbed.registry().createSlots(1, Map.of(
                    PluginKind.SCHEDULER, PluginSelection.of(PluginKind.SCHEDULER, "shortest-prompt"),
                    PluginKind.BATCHER, new PluginSelection(PluginKind.BATCHER, "continuous", Map.of("max_num_seqs", 1)),
                    PluginKind.KV_ALLOCATOR, PluginSelection.of(PluginKind.KV_ALLOCATOR, "paged"),
                    PluginKind.ROUTER, PluginSelection.of(PluginKind.ROUTER, "round-robin"),
                    PluginKind.ADMISSION, PluginSelection.of(PluginKind.ADMISSION, "accept-all")));
            var rows = new HotSwapTest.Rows();
            var replica = new Replica(0, new ReplicaConfig(16, 64, 0), slots.replicas().getFirst(),
                    new SimulatedExecutor(new ToyCost(), 16), rows);
            // one sequence at a time: r0 runs first, then the shorter prompt (r2) overtakes the longer (r1)
            new Simulation(List.of(replica), slots.cluster(), rows).run(List.of(
                    TraceRequest.of(0, 0, 10, 2), TraceRequest.of(1, 1, 300, 1), TraceRequest.of(2, 2, 20, 1)).iterator());
            assertEquals(List.of(0L, 2L, 1L), rows.requests.stream().map(r -> r.requestId()).toList());
            assertTrue(rows.iterations.stream().allMatch(i -> i.scheduler().equals("shortest-prompt@1.0.0")));
        }
    }
}
