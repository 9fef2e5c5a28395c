package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/** Routers swapped while a cluster run goes on: by the control port and by dropping a new jar. Nothing is lost. */
class ClusterHotSwapTest {
    private static final List<String> RUN = List.of("seed=5", "replicas=3", "kv.blocks=600",
            "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=30");

    @TempDir Path work;

    @Test
    void ctlSwitchRouterWithParametersIsRecordedAndEveryRequestCompletes() throws Exception {
        var plugins = TestBundles.clusterPlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var runDir = work.resolve("run");
        var answers = new ArrayList<String>();
        int[] steps = {0};
        // when: after 100 steps, switch the router to random with a seed over the control port
        ExperimentRunner.run(ExperimentFile.load(null, RUN), runDir, new ExperimentRunner.Options(plugins,
                (t, k, f, to, d) -> {}, null, (replica, end) -> {
                    if (++steps[0] == 100) answers.add(ControlClient.send(runDir, "switch router random seed=9"));
                }));
        // then: the switch was accepted, recorded at the next decision with its parameters, and nothing was lost
        assertEquals(List.of("router round-robin@1.0.0 -> random@1.0.0 {seed=9}\nok"), answers);
        var results = RunResults.load(runDir);
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var swaps = new ArrayList<String>();
        for (int i = 0; i < events.rowCount(); i++) {
            if (events.strings("type").get(i).equals("swap")) {
                swaps.add(events.strings("kind").get(i) + " " + events.strings("to_value").get(i) + " "
                        + events.strings("detail").get(i));
            }
        }
        assertEquals(1, swaps.size(), swaps.toString());
        assertTrue(swaps.getFirst().startsWith("router random@1.0.0 params {seed=9}"), swaps.getFirst());
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    @Test
    void aRouterJarDroppedMidRunTakesOverAtTheNextDecision() throws Exception {
        // given: a router bundle "to-one" 1.0.0 sending everything to replica 0
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "to-one.jar", router(work.resolve("v1"), "1.0.0", 0));
        var runDir = work.resolve("run");
        var reports = new TestBundles.Reports();
        var overrides = new ArrayList<>(RUN);
        overrides.add("plugins.router.name=to-one");
        int[] steps = {0};
        // when: after 100 steps, version 1.1.0 sending everything to replica 2 is dropped in; wait until deployed
        ExperimentRunner.run(ExperimentFile.load(null, overrides), runDir, new ExperimentRunner.Options(plugins,
                reports, null, (replica, end) -> {
                    if (++steps[0] != 100) return;
                    try {
                        TestBundles.drop(plugins, "to-one.jar", router(work.resolve("v2"), "1.1.0", 2));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    long until = System.nanoTime() + 20_000_000_000L;
                    while (!reports.any("1.1.0") && System.nanoTime() < until) Thread.onSpinWait();
                }));
        // then: every request completed; the early ones on replica 0, the late ones on replica 2, none on 1
        var requests = RunResults.load(runDir).requests();
        assertEquals(300, requests.rowCount());
        assertTrue(requests.strings("error").stream().allMatch(String::isEmpty));
        long[] replica = requests.longs("replica");
        long[] id = requests.longs("request_id");
        int lastOnZero = -1, firstOnTwo = Integer.MAX_VALUE;
        for (int i = 0; i < replica.length; i++) {
            assertTrue(replica[i] != 1, "request " + id[i] + " on replica 1");
            if (replica[i] == 0) lastOnZero = (int) Math.max(lastOnZero, id[i]);
            else firstOnTwo = (int) Math.min(firstOnTwo, id[i]);
        }
        assertTrue(lastOnZero < firstOnTwo, "routed to 0 up to " + lastOnZero + ", to 2 from " + firstOnTwo);
    }

    /** A router bundle sending every request to replica {@code target}. */
    private static byte[] router(Path work, String version, int target) throws IOException {
        String source = """
                package test.toone;
                import java.util.List;
                import servelab.api.*;
                import servelab.api.route.Router;
                public final class Factory implements PluginFactory<Router> {
                    public PluginDescriptor descriptor() {
                        return new PluginDescriptor(PluginKind.ROUTER, "to-one", "%s", "test router", List.of());
                    }
                    public Router create(Params params) { return (request, replicas) -> %d; }
                }
                """.formatted(version, target);
        return TestBundles.withImport(TestBundles.bundle(work, "test.toone.Factory", source, version),
                "servelab.api;version=\"[1.0,2)\",servelab.api.route;version=\"[1.1,2)\"");
    }
}
