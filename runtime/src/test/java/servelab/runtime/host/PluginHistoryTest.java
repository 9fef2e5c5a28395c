package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.engine.EngineEvent;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.experiment.PluginHistory;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.Json;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/**
 * A plugin that faults after a hot swap: the console says so when it happens, the faulted version is marked in
 * run.json and not picked again by a plain {@code ctl switch} (only when asked for by version), and every swap's
 * parameters are in the event row and in run.json's plugin history, as given when the swap was asked for.
 */
class PluginHistoryTest {
    private static final String FCFS = "return ctx -> new Ordering(ctx.running(), ctx.waiting());";
    private static final String BOOM = "return ctx -> { throw new IllegalStateException(\"boom\"); };";

    @TempDir Path work;

    @Test
    void aFaultIsSaidOnTheConsoleMarkedInRunJsonAndNotSwitchedToAgainUnlessAskedByVersion() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        var broken = TestBundles.scheduler(work, "probe", "2.0.0", "", BOOM);
        var runDir = work.resolve("run");
        var console = new TestBundles.Reports();
        var revertedTo = new java.util.concurrent.CopyOnWriteArrayList<String>();
        servelab.runtime.host.HostListener listener = (type, kind, from, to, detail) -> {
            if (type.equals("fault")) revertedTo.add(from + " -> " + to);
            console.report(type, kind, from, to, detail);
        };
        var answers = new ArrayList<String>();
        int[] steps = {0};
        // when: v2 (which throws) is dropped in beside v1 at step 50; then ctl switches at steps 100, 150 and 200
        ExperimentRunner.run(ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30", "plugins.scheduler.name=probe")), runDir,
                new ExperimentRunner.Options(plugins, listener, null, (replica, end) -> {
                    switch (++steps[0]) {
                        case 50 -> dropAndWait(plugins, broken, console);
                        case 100 -> answers.add(ControlClient.send(runDir, "switch scheduler probe"));
                        case 150 -> answers.add(ControlClient.send(runDir, "switch scheduler sjf key=prompt"));
                        case 200 -> answers.add(ControlClient.send(runDir, "switch scheduler probe@2.0.0"));
                        default -> { }
                    }
                }));
        // then: the console heard the fault, twice (v2 was asked for again by version)
        var faults = console.lines.stream().filter(l -> l.startsWith("fault ")).toList();
        assertEquals(2, faults.size(), console.lines.toString());
        assertTrue(faults.getFirst().contains("IllegalStateException: boom"), faults.getFirst());
        // each says what the slot went back to (it said "reverted" alone): v1 the first time, sjf the second
        assertEquals(List.of("probe@2.0.0 -> reverted to probe@1.0.0", "probe@2.0.0 -> reverted to sjf@1.0.0"), revertedTo);
        // a plain switch to probe took 1.0.0, not the faulted 2.0.0; by version, 2.0.0 was taken
        assertEquals("scheduler probe@1.0.0 -> probe@1.0.0 {}\nok", answers.get(0));
        assertEquals("scheduler probe@1.0.0 -> sjf@1.0.0 {key=prompt, noise_sigma=0.5, seed=0}\nok", answers.get(1));
        assertEquals("scheduler sjf@1.0.0 -> probe@2.0.0 {}\nok", answers.get(2));
        var info = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        var faulted = info.get("faulted_plugins");
        assertEquals(1, faulted.size(), faulted.toString());
        assertEquals("scheduler", faulted.get(0).get("kind").asText());
        assertEquals("probe@2.0.0", faulted.get(0).get("plugin").asText());
        assertTrue(faulted.get(0).get("reason").asText().contains("boom"));
        var history = new ArrayList<String>();
        for (var entry : info.get("plugin_history")) {
            history.add(entry.get("event").asText() + " " + (entry.has("to") ? entry.get("to").asText() + " "
                    + entry.get("params") : entry.get("plugin").asText() + " " + entry.get("reverted")));
        }
        // (a revert is a swap back, as the engine sees it; params are all the plugin got, defaults included)
        String sjf = "swap sjf@1.0.0 {\"key\":\"prompt\",\"noise_sigma\":0.5,\"seed\":0}";
        assertEquals(List.of("swap probe@2.0.0 {}", "fault probe@2.0.0 true", "swap probe@1.0.0 {}",
                "swap probe@1.0.0 {}", sjf, "swap probe@2.0.0 {}", "fault probe@2.0.0 true", sjf), history);
        // the event row of the ctl switch carries its parameters too, and nothing was lost
        var results = RunResults.load(runDir);
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var details = new ArrayList<String>();
        for (int i = 0; i < events.rowCount(); i++) {
            if (events.strings("to_value").get(i).startsWith("sjf@")) details.add(events.strings("detail").get(i));
        }
        assertEquals(List.of("params {key=prompt, noise_sigma=0.5, seed=0} from sjf.jar",
                "params {key=prompt, noise_sigma=0.5, seed=0} from sjf.jar"), details);
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    @Test
    void everySwapKeepsTheParametersItWasAskedWithEvenWhenAnotherSwapFollowedBeforeItsRowWasRead() {
        // given: two switches of one slot, the second asked for before the first one's row reaches the history (a
        // serving front hands rows on from another thread; the slot then already holds the second plugin)
        var first = new EngineEvent.PolicySwap(10, 1, 0, "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "params ...",
                Map.of("key", "prompt", "seed", 7));
        var second = new EngineEvent.PolicySwap(20, 2, 0, "scheduler", "sjf@1.0.0", "sjf@1.0.0", "params ...",
                Map.of("key", "output", "seed", 7));
        var console = new TestBundles.Reports();
        var history = new PluginHistory(console);
        var recorded = new ArrayList<EventRow>();
        var sink = history.wrap(new ResultSink() {
            @Override public void request(RequestRow row) { }
            @Override public void iteration(IterationRow row) { }
            @Override public void event(EventRow row) { recorded.add(row); }
        });
        // when: both rows pass, in order
        sink.event(ResultSink.row(first));
        sink.event(ResultSink.row(second));
        // then: each entry has its own swap's parameters, sorted by key, and the rows went on with them
        var params = history.entries().stream().map(e -> e.get("params").toString()).toList();
        assertEquals(List.of("{key=prompt, seed=7}", "{key=output, seed=7}"), params);
        assertEquals(2, recorded.size());
        assertEquals(Map.of("key", "prompt", "seed", 7), recorded.getFirst().params());
        assertTrue(console.lines.isEmpty(), console.lines.toString());
    }

    @Test
    void aClusterSlotsSwapHasNoIterationOrReplicaAsInEventsArrow() {
        var history = new PluginHistory(new TestBundles.Reports());
        var sink = history.wrap(new ResultSink() {
            @Override public void request(RequestRow row) { }
            @Override public void iteration(IterationRow row) { }
            @Override public void event(EventRow row) { }
        });
        sink.event(ResultSink.row(new EngineEvent.PolicySwap(10, -1, -1, "router", "round-robin@1.0.0",
                "power-of-d@1.0.0", "ctl", Map.of())));
        var entry = history.entries().getFirst();
        assertTrue(entry.containsKey("iteration") && entry.get("iteration") == null, entry.toString());
        assertTrue(entry.containsKey("replica") && entry.get("replica") == null, entry.toString());
    }

    @Test
    void aPluginThatThrowsAnErrorIsAFaultAndRevertedLikeAnyOther() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        // an Error, not a RuntimeException: a missing class, a stack overflow and a failed assert look like this
        var broken = TestBundles.scheduler(work, "probe", "2.0.0", "",
                "return ctx -> { throw new AssertionError(\"plugin assert\"); };");
        var runDir = work.resolve("run");
        var console = new TestBundles.Reports();
        int[] steps = {0};
        ExperimentRunner.run(ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30", "plugins.scheduler.name=probe")), runDir,
                new ExperimentRunner.Options(plugins, console, null, (replica, end) -> {
                    if (++steps[0] == 50) dropAndWait(plugins, broken, console);
                }));
        // then: reported and reverted to 1.0.0, and the run went on to answer every request
        var faults = console.lines.stream().filter(l -> l.startsWith("fault ")).toList();
        assertEquals(1, faults.size(), console.lines.toString());
        assertTrue(faults.getFirst().contains("AssertionError: plugin assert"), faults.getFirst());
        var results = RunResults.load(runDir);
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    @Test
    void aJarWhoseSecondPluginCannotBeCreatedSwapsNoneOfItsPlugins() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        // one jar, two plugins the run names: a good scheduler probe 2.0.0 and a batcher 'continuous' that throws when made
        String source = """
                package probe.pair;
                import java.util.List;
                import servelab.api.*;
                import servelab.api.sched.*;
                import servelab.api.batch.*;
                public final class Factory implements PluginFactory<Scheduler> {
                    public PluginDescriptor descriptor() {
                        return new PluginDescriptor(PluginKind.SCHEDULER, "probe", "2.0.0", "test probe", List.of());
                    }
                    public Scheduler create(Params params) { return ctx -> new Ordering(ctx.running(), ctx.waiting()); }
                    public static final class BrokenBatcher implements PluginFactory<Batcher> {
                        public PluginDescriptor descriptor() {
                            return new PluginDescriptor(PluginKind.BATCHER, "continuous", "9.0.0", "test probe", List.of());
                        }
                        public Batcher create(Params params) { throw new IllegalStateException("no batcher today"); }
                    }
                }
                """;
        var pair = TestBundles.bundle(work, "probe.pair.Factory", source, "2.0.0", "probe.pair.Factory$BrokenBatcher");
        var runDir = work.resolve("run");
        var console = new TestBundles.Reports();
        int[] steps = {0};
        ExperimentRunner.run(ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30", "plugins.scheduler.name=probe")), runDir,
                new ExperimentRunner.Options(plugins, console, null, (replica, end) -> {
                    if (++steps[0] == 50) dropAndWait(plugins, pair, console);
                }));
        // then: the jar was refused whole: the scheduler was not swapped to its probe 2.0.0 (whose bundle the refusal
        // uninstalled), and every request was served
        assertTrue(console.any("no batcher today") && console.any("nothing installed from it"), console.lines.toString());
        // the host's fault row belongs to no replica and no step (it carried whichever replica's step drained it)
        var events = RunResults.load(runDir).table(ResultTable.EVENTS).orElseThrow();
        int hostRows = 0;
        for (int i = 0; i < events.rowCount(); i++) {
            if (!events.strings("detail").get(i).contains("probe-2.jar")) continue;
            hostRows++;
            assertEquals(-1, events.longs("replica")[i], events.strings("detail").get(i));
            assertEquals(-1, events.longs("iteration")[i], events.strings("detail").get(i));
        }
        assertEquals(1, hostRows);
        var info = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        for (var entry : info.get("plugin_history")) {
            assertTrue(!entry.path("to").asText().equals("probe@2.0.0"), info.get("plugin_history").toString());
        }
        // and the plugin that could not be made is that plugin's fault in run.json, as a fault at run time is (it was
        // only the host's news about a jar), said once on the console
        assertEquals("continuous@9.0.0", info.get("faulted_plugins").get(0).get("plugin").asText(), info.toString());
        assertEquals("batcher", info.get("faulted_plugins").get(0).get("kind").asText());
        assertEquals(1, console.count("no batcher today"), console.lines.toString());
        assertTrue(console.any("(its slots keep continuous@1.0.0)"), console.lines.toString());
        var fault = java.util.stream.StreamSupport.stream(info.get("plugin_history").spliterator(), false)
                .filter(e -> e.path("event").asText().equals("fault")).findFirst().orElseThrow();
        assertTrue(fault.get("reverted").asBoolean(), fault.toString()); // the slots hold what they held
        var results = RunResults.load(runDir);
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    @Test
    void aFixedBuildOfTheFaultedVersionIsPickedAgainByAPlainSwitch() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        var broken = TestBundles.scheduler(work, "probe", "2.0.0", "", BOOM);
        // the fix, built as the same version (as a plugin's Maven build does until its version is raised)
        var fixed = TestBundles.scheduler(java.nio.file.Files.createDirectories(work.resolve("fixed")), "probe", "2.0.0",
                "", FCFS);
        var runDir = work.resolve("run");
        var console = new TestBundles.Reports();
        var answers = new ArrayList<String>();
        int[] steps = {0};
        // when: the broken 2.0.0 is dropped at step 50 (it faults and is reverted), its fixed build over the same
        // jar at step 100; then ctl switches away and back by the plain name
        ExperimentRunner.run(ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30", "plugins.scheduler.name=probe")), runDir,
                new ExperimentRunner.Options(plugins, console, null, (replica, end) -> {
                    switch (++steps[0]) {
                        case 50 -> dropAndWait(plugins, broken, console);
                        case 100 -> dropAndWait(plugins, fixed, console);
                        case 150 -> answers.add(ControlClient.send(runDir, "switch scheduler sjf"));
                        case 200 -> answers.add(ControlClient.send(runDir, "switch scheduler probe"));
                        default -> { }
                    }
                }));
        // then: only the broken build faulted, and the plain name took the fixed build, not the older 1.0.0
        var faults = console.lines.stream().filter(l -> l.startsWith("fault ")).toList();
        assertEquals(1, faults.size(), console.lines.toString());
        assertEquals("scheduler sjf@1.0.0 -> probe@2.0.0 {}\nok", answers.get(1), answers.toString());
        var results = RunResults.load(runDir);
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    @Test
    void aPluginWhoseJarIsRemovedMidRunKeepsRunningAndLoadingItsClasses() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        // a scheduler that first loads another class of its bundle once its jar is gone, as lazy code may
        String source = """
                package probe.lazy;
                import java.util.List;
                import servelab.api.*;
                import servelab.api.sched.*;
                public final class Factory implements PluginFactory<Scheduler> {
                    public PluginDescriptor descriptor() {
                        return new PluginDescriptor(PluginKind.SCHEDULER, "lazy", "1.0.0", "test probe", List.of());
                    }
                    public Scheduler create(Params params) {
                        int[] calls = {0};
                        return ctx -> {
                            if (calls[0] == 0 && Boolean.getBoolean("servelab.test.lazy.removed")) {
                                calls[0]++;
                                if (Later.twice(1) != 2) throw new IllegalStateException("arithmetic");
                            }
                            return new Ordering(ctx.running(), ctx.waiting());
                        };
                    }
                }
                final class Later {
                    static int twice(int x) { return 2 * x; }
                }
                """;
        TestBundles.drop(plugins, "lazy.jar", TestBundles.bundle(work, "probe.lazy.Factory", source, "1.0.0"));
        var runDir = work.resolve("run");
        var console = new TestBundles.Reports();
        int[] steps = {0};
        // when: its jar is deleted at step 20
        ExperimentRunner.run(ExperimentFile.load(null, List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30", "plugins.scheduler.name=lazy")), runDir,
                new ExperimentRunner.Options(plugins, console, null, (replica, end) -> {
                    if (++steps[0] != 20) return;
                    try {
                        java.nio.file.Files.delete(plugins.resolve("lazy.jar"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (!console.any("lazy.jar: removed")) {
                        if (System.nanoTime() > deadline) throw new AssertionError("not removed: " + console.lines);
                        Thread.onSpinWait();
                    }
                    System.setProperty("servelab.test.lazy.removed", "true");
                }));
        System.clearProperty("servelab.test.lazy.removed");
        // then: the running instance loaded its class and went on without a fault, and every request completed
        assertTrue(steps[0] > 40, steps[0] + " steps");
        assertTrue(console.lines.stream().noneMatch(l -> l.startsWith("fault ")), console.lines.toString());
        var results = RunResults.load(runDir);
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
    }

    private static void dropAndWait(Path plugins, byte[] jar, TestBundles.Reports console) {
        int before = console.count("probe-2.jar");
        try {
            TestBundles.drop(plugins, "probe-2.jar", jar); // beside 1.0.0: both versions are installed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (console.count("probe-2.jar") == before) {
            if (System.nanoTime() > deadline) throw new AssertionError("not deployed: " + console.lines);
            Thread.onSpinWait();
        }
    }
}
