package servelab.sweep;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;

/**
 * Runs one point on whichever member the durable executor gives it to (again on another one if that member dies):
 * exactly {@code servelab run BASE --set OVERRIDES}, with the trace file replaced by the member's copy of the same
 * bytes, into a scratch folder whose files go back to the coordinator. A failing run comes back as an error, so it
 * never stops the sweep.
 */
final class PointTask implements Callable<PointResult>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    /** Files of a run folder that go back, in this order (outputs.jsonl only exists on the model executor). */
    /** The start of the error of a point whose coordinator left: not run, or its files dropped. */
    static final String COORDINATOR_LEFT = "the sweep's coordinator left the cluster ";
    static final java.util.List<String> FILES = java.util.List.of("requests.arrow", "iterations.arrow", "events.arrow",
            "cluster.arrow", "run.json", "summary.json", "outputs.jsonl");

    private final String sweepId;
    /** The member that handed the point out: when it has left, nobody will read the result (see {@link #call}). */
    private final java.util.UUID coordinator;
    private final Point point;
    private final String baseYaml;
    private final String traceSha256; // null for synthetic traces
    private final String traceFileName; // the coordinator's Path is no value to send: members have their own
    private transient HazelcastInstance hz;

    PointTask(String sweepId, java.util.UUID coordinator, Point point, String baseYaml,
              Optional<SweepPlan.TraceFile> trace) {
        this.sweepId = sweepId;
        this.coordinator = coordinator;
        this.point = point;
        this.baseYaml = baseYaml;
        this.traceSha256 = trace.map(SweepPlan.TraceFile::sha256).orElse(null);
        this.traceFileName = trace.map(SweepPlan.TraceFile::fileName).orElse(null);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hz = hazelcastInstance;
    }

    @Override
    public PointResult call() {
        MemberOptions options;
        String member;
        try {
            options = (MemberOptions) hz.getUserContext().get(SweepMember.OPTIONS_KEY);
            member = Addresses.of(hz.getCluster().getLocalMember());
            if (!SweepState.isMember(hz, coordinator)) { // a stopped sweep's queued point: workers ran them all
                return new PointResult(point.id(), member, 0, new LinkedHashMap<>(), COORDINATOR_LEFT + "before it started");
            }
            SweepState.attempts(hz, sweepId).put(point.id(), member);
            SweepState.running(hz, sweepId).set(point.id(), member);
        } catch (com.hazelcast.core.HazelcastInstanceNotActiveException stopping) {
            // Ctrl-C or SIGTERM as the point was taken up: it did not start (this threw a page of stack trace)
            return new PointResult(point.id(), "", 0, new LinkedHashMap<>(), "the member stopped before the point started");
        }
        long start = System.nanoTime();
        var scratch = options.workDir().resolve("sweeps").resolve(sweepId);
        // one folder per coordinator and member, locked while it runs (AttemptFolder): a stopped sweep's point still
        // running here, a member sharing this work folder or another sweep deleted a live attempt's folder
        AttemptFolder attempt = null;
        try {
            attempt = AttemptFolder.take(scratch.resolve(point.id()),
                    coordinator + "." + hz.getCluster().getLocalMember().getUuid());
            var runDir = attempt.dir();
            var base = writeBase(scratch);
            var overrides = new ArrayList<>(point.overrides());
            if (traceSha256 != null) {
                var local = TraceShare.localCopy(hz, traceSha256, traceFileName, options.workDir());
                overrides.add("trace.file=" + new ObjectMapper().writeValueAsString(local.toString()));
            }
            var experiment = ExperimentFile.load(base, overrides);
            var testbeds = (Testbeds) hz.getUserContext().get(SweepMember.TESTBEDS_KEY);
            var testbed = testbeds.take();
            boolean healthy = false;
            try {
                ExperimentRunner.run(experiment, runDir, new ExperimentRunner.Options(options.pluginsDir(),
                        (type, kind, from, to, detail) -> {}, null, null, testbed));
                healthy = true;
            } catch (Exception e) {
                healthy = true; // the point's failure (its input, a plugin's fault), not the testbed's
                throw e;
            } finally {
                testbeds.give(testbed, healthy);
            }
            if (!SweepState.isMember(hz, coordinator)) { // kept by the executor for nobody: hundreds of MB a sweep
                return new PointResult(point.id(), member, System.nanoTime() - start, new LinkedHashMap<>(),
                        COORDINATOR_LEFT + "while it ran; its files are not kept");
            }
            var files = new LinkedHashMap<String, byte[]>();
            for (var name : FILES) {
                var f = runDir.resolve(name);
                if (Files.isRegularFile(f)) files.put(name, Files.readAllBytes(f));
            }
            return new PointResult(point.id(), member, System.nanoTime() - start, files, null);
        } catch (Exception | StackOverflowError e) {
            var message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
            return new PointResult(point.id(), member, System.nanoTime() - start, new LinkedHashMap<>(), message);
        } finally {
            try {
                if (attempt != null) attempt.close();
            } catch (IOException e) {
                // scratch space only (a file that would not go): the next attempt at the point deletes it
            }
            try {
                SweepState.running(hz, sweepId).delete(point.id());
            } catch (com.hazelcast.core.HazelcastInstanceNotActiveException stopping) {
                // the member is stopping (Ctrl-C, SIGTERM): nothing to tidy, and a stack trace would be the only news
            }
        }
    }

    private Path writeBase(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        var base = scratch.resolve("base-" + SweepPlan.sha256(baseYaml).substring(0, 16) + ".yaml");
        if (!Files.exists(base)) {
            var tmp = Files.createTempFile(scratch, ".base-", ".part");
            Files.writeString(tmp, baseYaml);
            Files.move(tmp, base, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return base;
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (var f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }
}
