package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.ToyCost;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * Hot swap through the embedded framework and the real engine: bundles built by the test are dropped into the
 * watched plugins directory while a simulated replay runs.
 */
class HotSwapTest {
    private static final String FCFS = "return ctx -> new Ordering(ctx.running(), ctx.waiting());";

    @TempDir Path work;
    private Path plugins;
    private final TestBundles.Reports reports = new TestBundles.Reports();
    private Testbed testbed;

    @BeforeEach
    void deployDefaultsAndProbeV1() throws Exception {
        plugins = Files.createDirectories(work.resolve("plugins"));
        TestBundles.drop(plugins, "batcher.jar", TestBundles.bundleOf(ContinuousBatcher.class));
        TestBundles.drop(plugins, "kv.jar", TestBundles.bundleOf(PagedKvAllocator.class));
        TestBundles.drop(plugins, "prefix.jar", TestBundles.bundleOf(servelab.plugins.caching.prefix.NoPrefixCache.class));
        TestBundles.drop(plugins, "eviction.jar", TestBundles.bundleOf(servelab.plugins.caching.eviction.LruEviction.class));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        testbed = Testbed.start(plugins, reports).watch();
    }

    @AfterEach
    void stopFramework() {
        testbed.close();
    }

    @Test
    void swapsTheSchedulerAtTheNextIterationWithoutLosingARequest() throws Exception {
        var sink = new Rows();
        var sim = simulation(sink);
        var v2 = TestBundles.scheduler(work, "probe", "2.0.0", "", FCFS);
        long swapAt = 20;
        sim.onStep((replica, end) -> {
            if (replica.iterations() == swapAt) {
                drop("probe.jar", v2);
                await(() -> slotIs(sim, "probe@2.0.0"), "slot to hold probe@2.0.0");
            }
        });
        var trace = trace(300);
        sim.run(trace.iterator());

        // every request exactly once, all finished
        assertEquals(300, sink.requests.size());
        assertEquals(300, sink.requests.stream().map(RequestRow::requestId).distinct().count());
        assertTrue(sink.requests.stream().allMatch(r -> r.error().isEmpty()));
        // iterations up to the swap ran v1, every later one v2
        for (var row : sink.iterations) {
            assertEquals(row.iteration() < swapAt ? "probe@1.0.0" : "probe@2.0.0", row.scheduler(),
                    "scheduler of iteration " + row.iteration());
        }
        var swaps = sink.events.stream().filter(e -> e.type().equals("swap")).toList();
        assertEquals(1, swaps.size());
        assertEquals(new EventRow(swaps.getFirst().timeNanos(), swapAt, 0, "swap", "scheduler", "probe@1.0.0",
                "probe@2.0.0", "params {} from probe.jar"), swaps.getFirst());
    }

    @Test
    void aBundleThatThrowsInItsConstructorLeavesTheCurrentPluginActive() throws Exception {
        var sim = simulation(new Rows());
        drop("probe.jar", TestBundles.scheduler(work, "probe", "3.0.0",
                "throw new IllegalStateException(\"v3 is broken on purpose\");", FCFS));
        await(() -> reports.any("probe.jar") && reports.any("v3 is broken on purpose"), "a report of the failure");
        assertTrue(reports.any("probe.jar: ") && reports.any("the previous version stays"), reports.lines.toString());
        assertTrue(slotIs(sim, "probe@1.0.0"));
        // and the old bundle still serves: the registry still lists v1 and nothing else
        assertEquals(List.of("probe@1.0.0"), installedIds("probe"));
    }

    @Test
    void aPluginThatThrowsWhenCreatedLeavesTheCurrentPluginActive() throws Exception {
        var sim = simulation(new Rows());
        drop("probe.jar", TestBundles.scheduler(work, "probe", "4.0.0", "",
                "throw new IllegalArgumentException(\"cannot build v4\");"));
        await(() -> reports.any("cannot build v4"), "a report of the failure");
        assertTrue(reports.any("probe.jar: scheduler 'probe' probe@4.0.0 threw while being created"),
                reports.lines.toString());
        assertTrue(slotIs(sim, "probe@1.0.0"));
        assertEquals(List.of("probe@1.0.0"), installedIds("probe"));
    }

    @Test
    void aBrokenJarIsReportedAndDisturbsNothing() throws Exception {
        var before = installedIds("");
        drop("garbage.jar", "this is not a zip file".getBytes());
        await(() -> reports.any("garbage.jar"), "a report about garbage.jar");
        assertTrue(reports.any("garbage.jar: not a plugin bundle"), reports.lines.toString());
        var jar = TestBundles.scheduler(work, "probe", "5.0.0", "", FCFS);
        drop("truncated.jar", java.util.Arrays.copyOf(jar, jar.length / 2));
        await(() -> reports.any("truncated.jar"), "a report about truncated.jar");
        assertTrue(reports.any("truncated.jar: not a plugin bundle"), reports.lines.toString());
        assertEquals(before, installedIds(""));
    }

    @Test
    void aBundleThatCannotResolveIsReportedWithItsMissingImport() throws Exception {
        var jar = TestBundles.scheduler(work, "probe", "6.0.0", "", FCFS);
        drop("unresolvable.jar", TestBundles.withImport(jar, "servelab.api;version=\"[9.0,10)\",servelab.api.sched"));
        await(() -> reports.any("unresolvable.jar"), "a report about unresolvable.jar");
        assertTrue(reports.any("unresolvable.jar: cannot resolve"), reports.lines.toString());
        assertTrue(reports.any("servelab.api"), reports.lines.toString());
        assertEquals(List.of("probe@1.0.0"), installedIds("probe"));
    }

    private Simulation simulation(Rows sink) {
        var selections = Map.of(
                PluginKind.SCHEDULER, PluginSelection.of(PluginKind.SCHEDULER, "probe"),
                PluginKind.BATCHER, PluginSelection.of(PluginKind.BATCHER, "continuous"),
                PluginKind.KV_ALLOCATOR, PluginSelection.of(PluginKind.KV_ALLOCATOR, "paged"),
                PluginKind.ROUTER, PluginSelection.of(PluginKind.ROUTER, "round-robin"),
                PluginKind.ADMISSION, PluginSelection.of(PluginKind.ADMISSION, "accept-all"));
        var slots = testbed.registry().createSlots(1, selections);
        var replica = new Replica(0, new ReplicaConfig(16, 256, 0), slots.replicas().getFirst(),
                new SimulatedExecutor(new ToyCost(), 16), sink);
        return new Simulation(List.of(replica), slots.cluster(), sink);
    }

    private boolean slotIs(Simulation sim, String id) {
        return testbed.registry().current(PluginKind.SCHEDULER).id().equals(id);
    }

    private List<String> installedIds(String name) {
        return testbed.registry().installed().stream()
                .filter(p -> name.isEmpty() || p.descriptor().name().equals(name))
                .map(p -> p.descriptor().id()).collect(Collectors.toList());
    }

    private static List<TraceRequest> trace(int n) {
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) list.add(TraceRequest.of(i, i * 200_000L, 16 + i % 50, 4 + i % 13));
        return list;
    }

    @Test
    void aDeletedJarsBundleIsStoppedSoTheInstancesRunningFromItKeepTheirClasses() throws Exception {
        var probe = testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                .findFirst().orElseThrow();
        var bundle = org.osgi.framework.FrameworkUtil.getBundle(probe.factory().getClass());
        Files.delete(plugins.resolve("probe.jar"));
        await(() -> reports.any("probe.jar: removed"), "the removal");
        // its plugin is gone from the registry, but the bundle is only stopped: uninstalled, the framework dropped its
        // wiring, and a running instance's first load of another class of the bundle failed mid-run
        assertTrue(testbed.registry().installed().stream().noneMatch(p -> p.descriptor().name().equals("probe")));
        assertEquals(org.osgi.framework.Bundle.RESOLVED, bundle.getState());
        assertEquals(probe.factory().getClass(), bundle.loadClass(probe.factory().getClass().getName()));
    }

    @Test
    void aRenamedJarKeepsItsBundleAndSwapsNothing() throws Exception {
        // mv probe.jar renamed.jar: the removal came first and withdrew the plugin, then the new name installed it
        // again and swapped it for itself
        var probe = testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                .findFirst().orElseThrow();
        Files.move(plugins.resolve("probe.jar"), plugins.resolve("renamed.jar"));
        await(() -> reports.any("probe.jar: removed; its bundle stays, the same as renamed.jar's"), "the removal");
        assertTrue(reports.any("renamed.jar: the same bundle as probe.jar"), reports.lines.toString());
        assertTrue(!reports.any("deploy renamed.jar"), reports.lines.toString());
        var now = testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                .findFirst().orElseThrow();
        assertEquals(probe.bundleId(), now.bundleId());
    }

    @Test
    void aJarDeletedAndCopiedBackWithTheSameBytesIsNoChange() throws Exception {
        // rm, then cp of the same bytes 0.1-0.3 s later: removed, then deployed again and swapped for itself
        var bytes = Files.readAllBytes(plugins.resolve("probe.jar"));
        Files.delete(plugins.resolve("probe.jar"));
        Thread.sleep(300);
        drop("probe.jar", bytes);
        Thread.sleep(1_500); // past the removal's second
        assertTrue(!reports.any("probe.jar: removed") && reports.count("deploy probe.jar") == 1, reports.lines.toString());
        assertTrue(testbed.registry().installed().stream().anyMatch(p -> p.descriptor().name().equals("probe")));
    }

    private void drop(String name, byte[] bytes) {
        try {
            TestBundles.drop(plugins, name, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 20_000_000_000L; // generous: CI machines are slow and shared
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static final class Rows implements ResultSink {
        final List<RequestRow> requests = new ArrayList<>();
        final List<IterationRow> iterations = new ArrayList<>();
        final List<EventRow> events = new ArrayList<>();

        @Override public void request(RequestRow row) { requests.add(row); }
        @Override public void iteration(IterationRow row) { iterations.add(row); }
        @Override public void event(EventRow row) { events.add(row); }
    }
}
