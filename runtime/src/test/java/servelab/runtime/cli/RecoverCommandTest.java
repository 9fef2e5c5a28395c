package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.Rows;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.report.RunResults;

/** {@code servelab recover RUN_DIR} on what a killed run leaves. */
class RecoverCommandTest {
    @TempDir Path work;

    private record Outcome(int code, String out, String err) {}

    private static Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
    }

    /** Three requests written, then the recorder is abandoned as a killed JVM would; its control port is closed. */
    private Path killedRun(int port) throws Exception {
        var dir = work.resolve("killed");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(1));
        for (int i = 0; i < 3; i++) {
            recorder.request(Rows.ok(i, i, i + 10, i + 20));
        }
        Files.writeString(dir.resolve("control.port"), port + "\n");
        Files.writeString(dir.resolve("control.key"), "0123456789abcdef\n");
        return dir;
    }

    @Test
    void convertsTheStreamsAndRemovesTheStaleControlPort() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var dir = killedRun(closedPort);
        var r = execute("recover", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("requests.arrow: 3 rows in 3 batches\n"), r.out());
        assertTrue(r.out().contains("removed the stale control.port"), r.out());
        assertTrue(Files.notExists(dir.resolve("control.port")));
        assertTrue(Files.notExists(dir.resolve("control.key")), "the run's control key goes with its port");
        assertTrue(RunResults.load(dir).isComplete());
    }

    @Test
    void aRecoveredRunSaysSoInRunJsonAndEveryReportOfIt() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var dir = killedRun(closedPort);
        servelab.runtime.record.Json.write(dir.resolve("run.json"), servelab.runtime.record.Json.ordered("name", "k"));
        assertEquals(0, execute("recover", dir.toString()).code());
        // then: run.json keeps what it had and says what was recovered; a report repeats it on the terminal
        var info = RunResults.load(dir).runInfo();
        assertEquals("k", info.get("name"));
        var recovered = (java.util.Map<?, ?>) info.get("recovered");
        assertEquals(3, ((java.util.Map<?, ?>) recovered.get("rows")).get("requests"));
        assertTrue(RunResults.load(dir).notes().contains(RunResults.RECOVERED_NOTE));
        var report = execute("report", dir.toString(), "--out", work.resolve("report").toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(report.err().contains("servelab report: killed: recovered after the run was killed"), report.err());
    }

    @Test
    void aKilledRunsPluginHistoryComesBackFromItsEvents() throws Exception {
        // given: a killed run whose events.arrows holds a swap with parameters and a fault (run.json gets
        // plugin_history only when a run ends)
        var dir = work.resolve("swapped");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(1));
        recorder.request(Rows.ok(0, 0, 10, 20));
        var params = new java.util.TreeMap<String, Object>(java.util.Map.of("max_num_seqs", 64L, "policy", "lru",
                "ratio", 0.5, "tiers", java.util.List.of(1L, 2L)));
        recorder.event(new servelab.runtime.record.EventRow(5, 3, 0, "swap", "batcher", "continuous", "chunked",
                "params " + params + " from plugins/chunked.jar", params));
        recorder.event(new servelab.runtime.record.EventRow(9, 7, 0, "fault", "batcher", "chunked", "reverted",
                "plan threw", java.util.Map.of()));
        servelab.runtime.record.Json.write(dir.resolve("run.json"), servelab.runtime.record.Json.ordered("name", "k"));
        // when
        assertEquals(0, execute("recover", dir.toString()).code());
        // then: run.json has both, as a whole run's would
        var info = RunResults.load(dir).runInfo();
        var history = (java.util.List<?>) info.get("plugin_history");
        assertEquals(2, history.size(), String.valueOf(history));
        var swap = (java.util.Map<?, ?>) history.get(0);
        assertEquals("chunked", swap.get("to"));
        assertEquals(java.util.Map.of("max_num_seqs", 64, "policy", "lru", "ratio", 0.5, "tiers", "[1, 2]"),
                swap.get("params"));
        var fault = (java.util.Map<?, ?>) history.get(1);
        assertEquals(true, fault.get("reverted"));
        var faulted = (java.util.List<?>) info.get("faulted_plugins");
        assertEquals("chunked", ((java.util.Map<?, ?>) faulted.getFirst()).get("plugin"));
    }

    @Test
    void outputsOfRequestsWithoutARowAreDroppedAndAnAbortedRunIsNotCalledKilled() throws Exception {
        // given: a killed model run: three request rows in the stream, outputs.jsonl a line ahead (it is written
        // line by line, the tables batch by batch) and a last line cut short; run.json says the run was aborted
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var dir = killedRun(closedPort);
        Files.writeString(dir.resolve("outputs.jsonl"), "{\"request_id\":0,\"tokens\":[1],\"text\":\"a\"}\n"
                + "{\"request_id\":1,\"tokens\":[2],\"text\":\"b\"}\n{\"request_id\":7,\"tokens\":[3],\"text\":\"c\"}\n"
                + "{\"request_id\":8,\"tok");
        servelab.runtime.record.Json.write(dir.resolve("run.json"), servelab.runtime.record.Json.ordered("name", "k",
                "aborted", "cannot write iterations.arrows: File too large"));
        // when
        var r = execute("recover", dir.toString());
        // then: outputs.jsonl agrees with requests.arrow, and the note names the abort, not a kill
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("outputs.jsonl: removed 2 lines"), r.out());
        assertEquals(2, Files.readAllLines(dir.resolve("outputs.jsonl")).size());
        var note = ((java.util.Map<?, ?>) RunResults.load(dir).runInfo().get("recovered")).get("note").toString();
        assertTrue(note.startsWith("the run stopped early (run.json's aborted says why)"), note);
    }

    @Test
    void aRunKilledInItsSetupIsClearedNotMadeIntoARunOfNoRequests() throws Exception {
        // given: streams opened, nothing written, no run.json (killed 10-50 ms after the folder appeared)
        var dir = work.resolve("setup");
        RunRecorder.create(dir, RecorderOptions.defaults());
        // when
        var r = execute("recover", dir.toString());
        // then: said, and the folder can take a run again (it was "recovered" into a run of 0 requests)
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("killed before its replay began"), r.out());
        assertTrue(!r.out().contains("0 rows in 0 batches"), r.out()); // tables it then removed were listed as rebuilt
        assertTrue(Files.notExists(dir.resolve("run.json")));
        RunRecorder.requireNoResults(dir);
    }

    @Test
    void aRunKilledAfterItsReplayGetsItsSummaryAndItsServePortGoes() throws Exception {
        // given: a whole run whose summary was never written (killed while summarizing), and a stale serve.port
        var plugins = servelab.runtime.host.TestBundles.defaultPlugins(work.resolve("plugins"));
        var dir = work.resolve("whole");
        servelab.runtime.experiment.ExperimentRunner.run(servelab.runtime.experiment.ExperimentFile.load(null,
                java.util.List.of("trace.synthetic.count=30", "slo.ttft_ms=500")), dir,
                new servelab.runtime.experiment.ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        var before = servelab.runtime.record.Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        Files.delete(dir.resolve("summary.json"));
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("serve.port"), closedPort + "\n");
        // when
        var r = execute("recover", dir.toString());
        // then: "nothing to recover" left it without a summary for good; now the summary is the run's own
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote summary.json"), r.out());
        var after = servelab.runtime.record.Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        for (var key : java.util.List.of("completed", "mean_ttft_ms", "goodput", "replica_seconds",
                "replica_seconds_by_replica", "load_imbalance")) { // by replica: from run.json's result (it was dropped)
            assertEquals(before.get(key), after.get(key), key);
        }
        // and run.json says it was put together (it was not marked, its tables being closed), with its result's
        // timing ending at the replay
        var info = servelab.runtime.record.Json.MAPPER.readTree(dir.resolve("run.json").toFile());
        assertTrue(info.get("recovered").get("note").asText().contains("the conversion and summary are not in them"),
                info.toString());
        assertTrue(Files.notExists(dir.resolve("serve.port")), r.out());
        // and: when requests.arrow lost rows (the file stopped taking writes while closing), no summary is made of
        // the rows left as if they were the run's (4,096 of 6,000 were summarized as complete)
        var cut = work.resolve("cut");
        servelab.runtime.experiment.ExperimentRunner.run(servelab.runtime.experiment.ExperimentFile.load(null,
                java.util.List.of("trace.synthetic.count=30")), cut,
                new servelab.runtime.experiment.ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        Files.delete(cut.resolve("summary.json"));
        var few = killedRun(closedPort); // three rows
        RunRecorder.recover(few);
        Files.copy(few.resolve("requests.arrow"), cut.resolve("requests.arrow"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        var partial = execute("recover", cut.toString());
        assertEquals(0, partial.code(), partial.err());
        assertTrue(Files.notExists(cut.resolve("summary.json")), partial.out());
    }

    @Test
    void aFolderThatIsNoRunIsSaidToBeNoneNotRecovered() throws Exception {
        // an empty folder, and another tool's: "nothing to recover ...: its tables were closed", exit 0
        var empty = Files.createDirectories(work.resolve("empty"));
        var other = Files.createDirectories(work.resolve("other"));
        Files.writeString(other.resolve("results.csv"), "a,b\n1,2\n");
        for (var dir : java.util.List.of(empty, other)) {
            var r = execute("recover", dir.toString());
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains(dir + " is not a ServeLab run folder"), r.err());
        }
        var missing = execute("recover", work.resolve("nothere").toString());
        assertTrue(missing.err().contains("nothere does not exist"), missing.err());
    }

    @Test
    void leavesARunThatIsStillGoingAlone() throws Exception {
        try (var live = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var dir = killedRun(live.getLocalPort());
            var r = execute("recover", dir.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("servelab recover: the run in " + dir + " is still going"), r.err());
            assertTrue(Files.exists(dir.resolve("requests.arrows")));
        }
    }
}
