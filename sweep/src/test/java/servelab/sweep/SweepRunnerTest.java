package servelab.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;

/** Sweeps on one embedded member in this JVM: results, identity with plain runs, resume, failures, bad addresses. */
@Timeout(240)
class SweepRunnerTest {
    @TempDir Path dir;
    Path plugins;

    @BeforeEach
    void plugins() throws Exception {
        plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
    }

    private SweepPlan plan(String axes) throws Exception {
        var file = dir.resolve("sweep.yaml");
        Files.writeString(file, """
                base: {name: tiny, trace: {synthetic: {count: 60, arrivals: {rate: 30}}}, kv: {blocks: 400}}
                axes:
                """ + axes);
        return SweepPlan.of(SweepFile.load(file));
    }

    private MemberOptions member(int threads) {
        return new MemberOptions("test-" + ProcessHandle.current().pid(), "127.0.0.1", 5901, List.of(), threads, plugins,
                dir.resolve("work"));
    }

    private SweepRunner.Outcome sweep(SweepPlan plan, Path out, int threads) throws Exception {
        return SweepRunner.run(plan, out, member(threads), null, new SweepProgress.Silent());
    }

    @Test
    void everyPointRunsOnceAndItsArrowFilesEqualAPlainRun() throws Exception {
        var plan = plan("  plugins.scheduler.name: [fcfs, sjf]\n  seed: [1, 2]\n");
        var out = dir.resolve("sweep");
        var outcome = sweep(plan, out, 2);
        // then: 4 points ran, each once, and sweep.arrow has a row per point with its axes and metrics
        assertEquals(4, outcome.ran());
        var rows = SweepTables.rows(out);
        assertEquals(plan.points().stream().map(Point::id).toList(), rows.stream().map(r -> r.get("point_id")).toList());
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.get("status")) && (Long) r.get("attempts") == 1), rows.toString());
        assertEquals("sjf", rows.get(2).get("plugins.scheduler.name"));
        assertEquals(2L, rows.get(3).get("seed"));
        assertTrue((Double) rows.get(0).get("request_throughput") > 0);
        // and: its cost is what the point's summary says its replicas were provisioned for
        var summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("points")
                .resolve(plan.points().get(0).id()).resolve("summary.json").toFile());
        assertEquals(summary.get("replica_seconds").asDouble(), (Double) rows.get(0).get("replica_seconds"), 1e-9);
        // and: sweep.json's objects keep their keys in a fixed order (with Map.of, half of all JVMs swapped them)
        var description = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("sweep.json").toFile());
        var pointKeys = new java.util.ArrayList<String>();
        description.get("points").get(0).fieldNames().forEachRemaining(pointKeys::add);
        assertEquals(List.of("id", "values"), pointKeys);
        // and: axis values are typed as sweep.arrow's columns are, in sweep.json and point.json alike (were all text)
        var values = description.get("points").get(3).get("values");
        assertTrue(values.get("seed").isIntegralNumber() && values.get("plugins.scheduler.name").isTextual(), values.toString());
        var pointInfo = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("points")
                .resolve(plan.points().get(3).id()).resolve("point.json").toFile());
        assertEquals(values, pointInfo.get("values"));
        // and: a point's Arrow files are byte for byte those of `servelab run` of the same experiment
        var point = plan.points().get(3);
        var alone = ExperimentRunner.run(ExperimentFile.load(plan.file().baseFile() == null ? base() : plan.file().baseFile(),
                point.overrides()), dir.resolve("alone"), new ExperimentRunner.Options(plugins, (a, b, c, d, e) -> {}, null, null));
        for (var table : List.of("requests.arrow", "iterations.arrow", "events.arrow", "cluster.arrow", "summary.json")) {
            assertArrayEquals(Files.readAllBytes(alone.runDir().resolve(table)),
                    Files.readAllBytes(out.resolve("points").resolve(point.id()).resolve(table)), table);
        }
    }

    private static boolean causedByInterrupt(Throwable t) {
        for (var c = t; c != null; c = c.getCause()) if (c instanceof InterruptedException) return true;
        return false;
    }

    private Path base() throws Exception {
        var f = dir.resolve("base.yaml");
        Files.writeString(f, "{name: tiny, trace: {synthetic: {count: 60, arrivals: {rate: 30}}}, kv: {blocks: 400}}\n");
        return f;
    }

    @Test
    void aRerunSkipsCompletePointsAndAnInterruptedSweepRunsOnlyTheMissingOnes() throws Exception {
        var plan = plan("  seed: [1, 2, 3, 4, 5, 6]\n");
        var out = dir.resolve("sweep");
        // given: a sweep interrupted once two points are complete
        var failure = new AtomicReference<Throwable>();
        var thread = new Thread(() -> {
            try {
                sweep(plan, out, 1);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        while (complete(out) < 2 && thread.isAlive()) Thread.sleep(20);
        thread.interrupt();
        thread.join();
        // the interrupt lands either in the runner's own wait or inside a Hazelcast call, which wraps it
        assertTrue(causedByInterrupt(failure.get()), "interrupted: " + failure.get());
        long before = complete(out);
        assertTrue(before >= 2 && before < 6, "complete before the rerun: " + before);
        // and: the stopped sweep wrote sweep.arrow, the points not done marked missing (it wrote none before)
        var stoppedRows = SweepTables.rows(out);
        assertEquals(6, stoppedRows.size());
        assertEquals(before, stoppedRows.stream().filter(r -> "ok".equals(r.get("status"))).count());
        assertEquals(6 - before, stoppedRows.stream().filter(r -> "missing".equals(r.get("status"))).count());
        // when: it runs again
        var outcome = sweep(plan, out, 2);
        // then: only the missing points ran
        assertEquals(before, outcome.skipped());
        assertEquals(6 - before, outcome.ran());
        assertEquals(6, complete(out));
        // and: once more, nothing runs
        var again = sweep(plan, out, 2);
        assertEquals(0, again.ran());
        assertEquals(6, again.skipped());
        assertEquals(6, SweepTables.rows(out).size());
    }

    @Test
    void aFolderHoldingAnotherSweepIsRefusedAndTheSameSweepContinues() throws Exception {
        var out = dir.resolve("sweep");
        var first = plan("  seed: [1, 2]\n");
        sweep(first, out, 2);
        var other = plan("  seed: [3, 4]\n");
        var e = assertThrows(IllegalArgumentException.class, () -> sweep(other, out, 2));
        assertTrue(e.getMessage().contains(out + " holds sweep " + first.id()), e.getMessage());
        assertEquals(2, SweepTables.rows(out).size(), "the first sweep's table is as it was");
        assertEquals(2, sweep(first, out, 2).skipped());
    }

    @Test
    void aFailingPointIsRecordedWithItsErrorAndTheOthersComplete() throws Exception {
        var plan = plan("  plugins.scheduler.name: [fcfs, no-such-scheduler]\n");
        var out = dir.resolve("sweep");
        var outcome = sweep(plan, out, 2);
        assertEquals(2, outcome.ran());
        assertEquals(1, outcome.failed());
        var rows = SweepTables.rows(out);
        assertEquals("ok", rows.get(0).get("status"));
        assertEquals("failed", rows.get(1).get("status"));
        assertTrue(rows.get(1).get("error").toString().contains("no-such-scheduler"), rows.get(1).toString());
    }

    @Test
    void aTraceFileReachesTheMembersByItsHashAndGivesThePlainRunsFiles() throws Exception {
        var trace = Path.of(System.getProperty("servelab.sharedDir", "../../shared"),
                "traces/azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv").toAbsolutePath();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(trace), "shared traces not present");
        var file = dir.resolve("sweep.yaml");
        Files.writeString(file, "base: {trace: {file: \"" + trace + "\", format: azure-csv, transforms: {first: 40}}}\n"
                + "axes: {plugins.scheduler.name: [fcfs, sjf]}\n");
        var plan = SweepPlan.of(SweepFile.load(file));
        var out = dir.resolve("sweep");
        var outcome = sweep(plan, out, 2);
        assertEquals(2, outcome.ran());
        assertEquals(0, outcome.failed(), SweepTables.rows(out).toString());
        // then: the member read its own copy, stored under the trace's SHA-256
        var sha = plan.trace().orElseThrow().sha256();
        assertArrayEquals(Files.readAllBytes(trace), Files.readAllBytes(dir.resolve("work/traces").resolve(sha)
                .resolve(trace.getFileName())));
        // and: the results equal a plain run on the original file
        var point = plan.points().get(1);
        var alone = ExperimentRunner.run(ExperimentFile.load(null,
                concat(List.of("trace.file=" + trace, "trace.format=azure-csv", "trace.transforms.first=40"),
                        point.overrides())), dir.resolve("alone"),
                new ExperimentRunner.Options(plugins, (a, b, c, d, e) -> {}, null, null));
        assertArrayEquals(Files.readAllBytes(alone.runDir().resolve("requests.arrow")),
                Files.readAllBytes(out.resolve("points").resolve(point.id()).resolve("requests.arrow")));
        // and its run.json names the trace the sweep read, as the plain run's does, not the member's copy
        var info = new com.fasterxml.jackson.databind.ObjectMapper();
        var swept = info.readTree(out.resolve("points").resolve(point.id()).resolve("run.json").toFile());
        var plain = info.readTree(alone.runDir().resolve("run.json").toFile());
        assertEquals(java.nio.file.Path.of(plain.get("trace").get("file").asText()).normalize().toString(),
                swept.get("trace").get("file").asText());
        ((com.fasterxml.jackson.databind.node.ObjectNode) plain.get("trace")).remove("file");
        ((com.fasterxml.jackson.databind.node.ObjectNode) swept.get("trace")).remove("file");
        assertEquals(plain.get("trace"), swept.get("trace"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aMemberHasOnePointQueuedBeyondItsThreadsSoItNeverWaitsForTheCoordinator() throws Exception {
        var plan = plan("  seed: [1, 2, 3]\n");
        var hz = SweepMember.start(member(1));
        try {
            var done = new java.util.concurrent.LinkedBlockingQueue<Dispatcher.Done>();
            var dispatcher = new Dispatcher(hz, done, null);
            for (int i = 0; i < 2; i++) {
                var m = dispatcher.freeMember();
                assertTrue(m != null, "room for point " + i + " on a one-thread member");
                var point = plan.points().get(i);
                dispatcher.submit(point, new PointTask(plan.id(), hz.getCluster().getLocalMember().getUuid(), point,
                        plan.file().baseYaml(), plan.trace()), m);
            }
            assertEquals(null, dispatcher.freeMember(), "one running, one queued: full");
            var first = done.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            dispatcher.finished(first);
            assertTrue(dispatcher.freeMember() != null, "a point done makes room again");
            dispatcher.finished(done.poll(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, dispatcher.inFlight());
        } finally {
            hz.shutdown();
        }
    }

    @Test
    void aPointTakenUpAsTheMemberStopsEndsWithoutAStackTrace() throws Exception {
        // Ctrl-C as a point was taken up: its first cluster call threw, and Hazelcast printed a page of stack trace
        var plan = plan("  seed: [1]\n");
        var hz = SweepMember.start(member(1));
        hz.shutdown(); // as a stopping member is (terminate() would print Hazelcast's warning into the build's log)
        var point = plan.points().getFirst();
        var task = new PointTask(plan.id(), java.util.UUID.randomUUID(), point, plan.file().baseYaml(), plan.trace());
        task.setHazelcastInstance(hz);
        var result = task.call();
        assertEquals(point.id(), result.id());
        assertEquals("the member stopped before the point started", result.error());
    }

    @Test
    void aPointWhoseCoordinatorLeftIsNotRunNorCountedAsAnAttempt() throws Exception {
        // a stopped sweep's queued points ran on its workers, and the executor kept every result (the point's files)
        // for nobody: hundreds of MB in an idle worker
        var plan = plan("  seed: [1]\n");
        var hz = SweepMember.start(member(1));
        try {
            var point = plan.points().getFirst();
            var task = new PointTask(plan.id(), java.util.UUID.randomUUID(), point, plan.file().baseYaml(), plan.trace());
            task.setHazelcastInstance(hz);
            var result = task.call();
            assertEquals(PointTask.COORDINATOR_LEFT + "before it started", result.error());
            assertTrue(result.files().isEmpty());
            assertEquals(0, SweepState.attempts(hz, plan.id()).size());
        } finally {
            hz.shutdown();
        }
    }

    @Test
    void aMemberJoiningOrLeavingIsOneLineNotPagesOfHazelcastWarnings() throws Exception {
        var err = new java.io.ByteArrayOutputStream();
        var before = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        var a = SweepMember.start(member(1));
        try {
            var addressA = Addresses.of(a.getCluster().getLocalMember());
            var b = SweepMember.start(new MemberOptions(member(1).clusterName(), "127.0.0.1", 5921, List.of(addressA), 1,
                    plugins, dir.resolve("work-b")));
            var addressB = Addresses.of(b.getCluster().getLocalMember());
            b.getLifecycleService().terminate(); // as a killed worker leaves
            for (long t0 = System.nanoTime(); !err.toString().contains("member " + addressB + " left"); Thread.sleep(20)) {
                assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "no word of the member leaving: " + err);
            }
        } finally {
            a.shutdown();
            System.setErr(before);
        }
        var text = err.toString();
        assertTrue(text.contains(" joined (2 members)"), text);
        assertTrue(text.contains(" left (1 members; its points run again elsewhere)"), text);
        for (var noisy : SweepMember.NOISY_WHEN_A_MEMBER_LEAVES) {
            assertEquals("error", System.getProperty("org.slf4j.simpleLogger.log." + noisy));
        }
    }

    @Test
    void aSecondCoordinatorOfOneSweepOnOneClusterIsRefusedWhileTheFirstIsAMember() throws Exception {
        // the same sweep run into two folders at once: the two shared its state and scratch folders, and one failed
        var plan = plan("  seed: [1]\n");
        var a = SweepMember.start(member(1), true, plan.id());
        com.hazelcast.core.HazelcastInstance b = null;
        try {
            var addressA = Addresses.of(a.getCluster().getLocalMember());
            b = SweepMember.start(new MemberOptions(member(1).clusterName(), "127.0.0.1", 5911, List.of(addressA), 1,
                    plugins, dir.resolve("work-b")), true, plan.id());
            assertEquals(2, b.getCluster().getMembers().size());
            // a coordinator that joined owns no partition before its claim holds (the executor ran points again on one)
            assertTrue(b.getCluster().getLocalMember().isLiteMember());
            SweepState.claim(a, plan.id(), dir.resolve("out-a"));
            var second = b;
            var refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> SweepState.claim(second, plan.id(), dir.resolve("out-b")));
            assertTrue(refused.getMessage().contains("sweep " + plan.id() + " is already running on this cluster, "
                    + "coordinated by " + addressA + " into " + dir.resolve("out-a")), refused.getMessage());
            // the refused coordinator, a member meanwhile, is sent no point (one was, and its leaving reran them all)
            var dispatcher = new Dispatcher(a, new java.util.concurrent.LinkedBlockingQueue<>(), plan.id());
            assertEquals(a.getCluster().getLocalMember().getUuid(), dispatcher.freeMember().getUuid());
            // (another sweep's coordinator, or a worker, is sent points)
            var another = new Dispatcher(a, new java.util.concurrent.LinkedBlockingQueue<>(), "another-sweep");
            var members = new java.util.HashSet<java.util.UUID>();
            for (int i = 0; i < 50 && members.size() < 2; i++) {
                var m = another.freeMember();
                members.add(m.getUuid());
                another.submit(plan.points().getFirst(), new PointTask("another-sweep", java.util.UUID.randomUUID(),
                        plan.points().getFirst(), plan.file().baseYaml(), plan.trace()), m);
            }
            assertEquals(2, members.size(), "a coordinator of another sweep takes points");
            // and the sweep it was asked to run leaves no folder of missing points behind
            var outB = dir.resolve("out-b-run");
            org.junit.jupiter.api.Assertions.assertThrows(SweepState.ClaimRefused.class,
                    () -> SweepRunner.run(plan, outB, member(1), second, new SweepProgress.Silent()));
            assertTrue(!java.nio.file.Files.exists(outB), "a refused sweep wrote its folder");
            // the first coordinator stops without releasing its claim (Ctrl-C), leaving its attempts behind
            SweepState.attempts(a, plan.id()).put(plan.points().getFirst().id(), addressA);
            a.shutdown();
            for (long t0 = System.nanoTime(); b.getCluster().getMembers().size() > 1; Thread.sleep(20)) {
                assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "the first member never left");
            }
            // then: the claim lapsed with its member, and the next coordinator starts from clean state
            SweepState.claim(b, plan.id(), dir.resolve("out-b"));
            assertEquals(0, SweepState.attempts(b, plan.id()).size(), "an earlier invocation's attempts count as reruns");
        } finally {
            a.shutdown();
            if (b != null) b.shutdown();
        }
    }

    @Test
    void withoutJoinAMemberStaysAloneBesideAnotherOfTheSameClusterName() throws Exception {
        // a worker (or another sweep) of the same cluster name on the machine: probed on the ports around the host,
        // it was joined, and ran this sweep's points
        var first = SweepMember.start(member(1));
        try {
            var second = SweepMember.start(member(1)); // same name, same first port: it takes the next free port
            try {
                assertEquals(1, first.getCluster().getMembers().size());
                assertEquals(1, second.getCluster().getMembers().size());
            } finally {
                second.shutdown();
            }
        } finally {
            first.shutdown();
        }
    }

    @Test
    void anUnreachableMemberIsNamed() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free once closed: nothing answers there
        }
        var address = "127.0.0.1:" + port;
        var options = new MemberOptions("test-unreachable", "127.0.0.1", 5951, List.of(address), 1, plugins, dir);
        var e = assertThrows(IllegalArgumentException.class, () -> SweepMember.start(options));
        assertTrue(e.getMessage().contains(address), e.getMessage());
    }

    private static long complete(Path out) throws Exception {
        var points = out.resolve("points");
        if (!Files.isDirectory(points)) return 0;
        try (var list = Files.list(points)) {
            return list.filter(p -> Files.isRegularFile(p.resolve("point.json"))).count();
        }
    }
}
