package servelab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members in three JVMs on loopback (the coordinator of {@code servelab sweep} and two {@code servelab
 * worker}s) run a 60-point sweep; one worker is killed (SIGKILL) while it runs a point. Every point must complete
 * exactly once in the results, and the killed member's point must have run again elsewhere. Slow (three JVMs on
 * the machine's cores), so it runs in its own bounded CI step, not in {@code ./servelab test}.
 */
@Tag("multi-jvm")
@Timeout(480)
class MemberLossTest {
    private static final Pattern STARTED = Pattern.compile("member (\\S+:\\d+) of cluster");

    @TempDir Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void everyPointCompletesExactlyOnceWhenAMemberIsKilledMidSweep() throws Exception {
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var sweepFile = dir.resolve("sweep.yaml");
        Files.writeString(sweepFile, """
                base: {name: loss, trace: {synthetic: {count: 120, arrivals: {rate: 30}}}, kv: {blocks: 600}}
                axes:
                  plugins.scheduler.name: [fcfs, sjf]
                  trace.transforms.time_scale: [1.0, 0.5]
                  seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
                """);
        String cluster = "loss-" + ProcessHandle.current().pid();
        var workA = dir.resolve("work-a");
        var workB = dir.resolve("work-b");
        var a = start(List.of("worker", "--cluster", cluster, "--port", "5811", "--threads", "1",
                "--plugins-dir", plugins.toString(), "--work-dir", workA.toString()));
        String addressA = address(a);
        var b = start(List.of("worker", "--cluster", cluster, "--port", "5821", "--threads", "1", "--join", addressA,
                "--plugins-dir", plugins.toString(), "--work-dir", workB.toString()));
        String addressB = address(b);
        var out = dir.resolve("out");
        var coordinator = start(List.of("sweep", sweepFile.toString(), "--out", out.toString(), "--cluster", cluster,
                "--port", "5831", "--threads", "1", "--join", addressA + "," + addressB, "--quiet",
                "--plugins-dir", plugins.toString(), "--work-dir", dir.resolve("work-c").toString()));
        // when: five points are complete and worker B is running one, B is killed
        while (complete(out) < 5) waitFor(coordinator);
        while (!runningOn(workB)) waitFor(coordinator);
        b.destroyForcibly().waitFor();
        // then: the sweep finishes
        assertTrue(coordinator.waitFor(400, TimeUnit.SECONDS), "the sweep did not finish");
        assertEquals(0, coordinator.exitValue(), "sweep exit code");
        var rows = SweepTables.rows(out);
        // every point exactly once: 60 rows, 60 distinct ids, 60 point folders, all ok
        assertEquals(60, rows.size());
        assertEquals(60, new HashSet<>(rows.stream().map(r -> r.get("point_id")).toList()).size());
        assertEquals(60, complete(out));
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.get("status"))), rows.toString());
        // and: the point B was running when it died was started again, and finished on another member
        var rerun = rows.stream().filter(r -> (Long) r.get("attempts") >= 2).toList();
        assertTrue(!rerun.isEmpty(), "no point ran twice");
        assertTrue(rerun.stream().allMatch(r -> !addressB.equals(r.get("member"))), rerun.toString());
    }

    @Test
    void aWorkerKilledNearTheEndLosesNoPoint() throws Exception {
        // given: four points of a few seconds each (paced on the wall clock), two on each member from the start
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var sweepFile = dir.resolve("end.yaml");
        Files.writeString(sweepFile, """
                base: {name: end, executor: emulated, trace: {synthetic: {count: 30, arrivals: {rate: 10}}}}
                axes:
                  seed: [1, 2, 3, 4]
                """);
        String cluster = "end-" + ProcessHandle.current().pid();
        var workW = dir.resolve("work-w");
        var w = start(List.of("worker", "--cluster", cluster, "--port", "5841", "--threads", "1",
                "--plugins-dir", plugins.toString(), "--work-dir", workW.toString()));
        String addressW = address(w);
        var out = dir.resolve("out-end");
        var coordinator = start(List.of("sweep", sweepFile.toString(), "--out", out.toString(), "--cluster", cluster,
                "--port", "5851", "--threads", "1", "--join", addressW, "--quiet",
                "--plugins-dir", plugins.toString(), "--work-dir", dir.resolve("work-c2").toString()));
        // when: the worker is killed while it runs a point, with nothing left to send (its points were the last out)
        while (!runningOn(workW)) waitFor(coordinator);
        w.destroyForcibly().waitFor();
        // then: its points run again on the coordinator (they were marked missing, and the sweep exited 0)
        assertTrue(coordinator.waitFor(400, TimeUnit.SECONDS), "the sweep did not finish");
        assertEquals(0, coordinator.exitValue(), Files.readString(dir.resolve("log-" + processes.indexOf(coordinator) + ".txt")));
        var rows = SweepTables.rows(out);
        assertEquals(4, rows.size());
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.get("status"))), rows.toString());
        assertEquals(4, complete(out));
    }

    @Test
    void aSweepStoppedWhileItsMemberStartsSaysSoAndWritesItsTable() throws Exception {
        // a TERM (or Ctrl-C) before the member had started ended the JVM with no word and no sweep.arrow
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var sweepFile = dir.resolve("stop.yaml");
        Files.writeString(sweepFile, "base: {name: stop, trace: {synthetic: {count: 30}}}\naxes:\n  seed: [1, 2]\n");
        var out = dir.resolve("out-stop");
        var sweep = start(List.of("sweep", sweepFile.toString(), "--out", out.toString(), "--cluster",
                "stop-" + ProcessHandle.current().pid(), "--port", "5861", "--threads", "1", "--quiet",
                "--plugins-dir", plugins.toString(), "--work-dir", dir.resolve("work-s").toString()));
        var log = dir.resolve("log-" + processes.indexOf(sweep) + ".txt");
        while (!Files.exists(out.resolve("sweep.json"))) { // written just before the member starts
            assertTrue(sweep.isAlive(), Files.readString(log));
            Thread.sleep(2);
        }
        sweep.destroy();
        assertTrue(sweep.waitFor(60, TimeUnit.SECONDS), "the stopped sweep did not end");
        assertEquals(143, sweep.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("servelab sweep: stopped; 0 of 2 points are complete in " + out),
                Files.readString(log));
        assertTrue(Files.exists(out.resolve("sweep.arrow")), Files.readString(log));
    }

    private Process start(List<String> args) throws IOException {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx512m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "servelab.runtime.cli.Main"));
        command.addAll(args);
        var log = dir.resolve("log-" + processes.size() + ".txt");
        var p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** The member's address, from the line `servelab worker` prints once it runs. */
    private String address(Process p) throws Exception {
        var log = dir.resolve("log-" + processes.indexOf(p) + ".txt");
        for (int i = 0; i < 1200; i++) {
            try (var reader = new BufferedReader(new InputStreamReader(Files.newInputStream(log)))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    var m = STARTED.matcher(line);
                    if (m.find()) return m.group(1);
                }
            }
            if (!p.isAlive()) throw new AssertionError("worker exited: " + Files.readString(log));
            Thread.sleep(100);
        }
        throw new AssertionError("worker did not start: " + Files.readString(log));
    }

    private void waitFor(Process coordinator) throws Exception {
        if (!coordinator.isAlive()) {
            throw new AssertionError("the sweep ended before a member was killed: "
                    + Files.readString(dir.resolve("log-" + processes.indexOf(coordinator) + ".txt")));
        }
        Thread.sleep(20);
    }

    private static boolean runningOn(Path workDir) throws IOException {
        var sweeps = workDir.resolve("sweeps");
        if (!Files.isDirectory(sweeps)) return false;
        try (Stream<Path> files = Files.walk(sweeps, 2)) {
            return files.anyMatch(p -> p.getNameCount() == sweeps.getNameCount() + 2 && Files.isDirectory(p));
        }
    }

    private static long complete(Path out) throws IOException {
        var points = out.resolve("points");
        if (!Files.isDirectory(points)) return 0;
        try (var list = Files.list(points)) {
            return list.filter(p -> Files.isRegularFile(p.resolve("point.json"))).count();
        }
    }
}
