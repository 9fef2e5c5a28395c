package servelab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.hazelcast.core.Hazelcast;

import servelab.runtime.cli.Main;

/** The sweep and worker commands on `servelab`, a sweep's report, and a plain run that starts no cluster member. */
@Timeout(240)
class SweepCliTest {
    @TempDir Path dir;

    private record Result(int rc, String out) {}

    private static Result execute(String... args) {
        var text = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int rc = cli.execute(args);
        return new Result(rc, text.toString());
    }

    @Test
    void sweepThenReportDrawsTheAxesAndTheParetoFront() throws Exception {
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var file = dir.resolve("sweep.yaml");
        Files.writeString(file, """
                base: {trace: {synthetic: {count: 60}}, slo: {ttft_ms: 1000}}
                axes:
                  plugins.scheduler.name: [fcfs, sjf]
                  trace.transforms.time_scale: [1.0, 0.5]
                """);
        var out = dir.resolve("out");
        var sweep = execute("sweep", file.toString(), "--out", out.toString(), "--quiet", "--threads", "2", "--port", "5961",
                "--cluster", "cli-" + ProcessHandle.current().pid(), "--plugins-dir", plugins.toString(),
                "--work-dir", dir.resolve("work").toString());
        assertEquals(0, sweep.rc(), sweep.out());
        assertTrue(sweep.out().contains("4 points; ran 4 (0 failed)"), sweep.out());
        var report = execute("report", out.toString(), "--out", dir.resolve("report").toString());
        assertEquals(0, report.rc(), report.out());
        var markdown = Files.readString(dir.resolve("report/report.md"));
        assertTrue(markdown.contains("Pareto front") && markdown.contains("request_goodput"), markdown);
        assertTrue(Files.size(dir.resolve("report/pareto.png")) > 0);
        assertTrue(Files.size(dir.resolve("report/heatmap-request_goodput.png")) > 0);
        // every configuration once (one seed: said to show no spread), and each point's SLO attainment in sweep.arrow
        assertTrue(markdown.contains("One point per configuration: no spread is shown"), markdown);
        var table = servelab.runtime.report.sweep.SweepResults.load(out);
        for (double attainment : table.doubles("slo_attainment")) assertTrue(attainment >= 0 && attainment <= 1, "" + attainment);
        // 60 requests: too few to judge overload, so the column is null and the report says nothing of it
        assertEquals(java.util.Collections.nCopies(4, "n/a"), table.strings("overloaded"));
        assertTrue(!markdown.contains("were overloaded"), markdown);
    }

    @Test
    void theReportCountsOverloadedPoints() throws Exception {
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var file = dir.resolve("over.yaml");
        // 400 requests on one replica at 40/s (it completes about 14) and at 2/s
        Files.writeString(file, """
                base: {trace: {synthetic: {count: 400}}}
                axes:
                  trace.synthetic.arrivals.rate: [40, 2]
                """);
        var out = dir.resolve("over");
        var sweep = execute("sweep", file.toString(), "--out", out.toString(), "--quiet", "--threads", "2", "--port", "5965",
                "--cluster", "over-" + ProcessHandle.current().pid(), "--plugins-dir", plugins.toString(),
                "--work-dir", dir.resolve("work-over").toString());
        assertEquals(0, sweep.rc(), sweep.out());
        var table = servelab.runtime.report.sweep.SweepResults.load(out);
        var rates = table.strings("trace.synthetic.arrivals.rate");
        var overloaded = table.strings("overloaded");
        for (int i = 0; i < table.size(); i++) assertEquals(rates.get(i).startsWith("40") ? "true" : "false", overloaded.get(i));
        var report = execute("report", out.toString(), "--out", dir.resolve("over-report").toString());
        assertEquals(0, report.rc(), report.out());
        var markdown = Files.readString(dir.resolve("over-report/report.md"));
        assertTrue(markdown.contains("1 of 2 points were overloaded"), markdown);
    }

    @Test
    void aMisspeltPluginParameterAxisFailsBeforeAnyPointRuns() throws Exception {
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        for (var axis : new String[] {"plugins.batcher.params.max_num_sqs: [16, 32]", "plugins.batcher.params.max_num_seqs: [16, -3]",
                // a scheduled switch's parameters too (each such point failed on its own, and the sweep ran the rest)
                "swaps: [[{at_ms: 10, kind: batcher, name: continuous, params: {max_num_sqs: 4}}]]"}) {
            var file = dir.resolve("bad.yaml");
            Files.writeString(file, "base: {trace: {synthetic: {count: 20}}}\naxes:\n  " + axis + "\n");
            var out = dir.resolve("bad-out");
            var sweep = execute("sweep", file.toString(), "--out", out.toString(), "--quiet", "--threads", "1", "--port",
                    "5963", "--cluster", "bad-" + ProcessHandle.current().pid(), "--plugins-dir", plugins.toString(),
                    "--work-dir", dir.resolve("work").toString());
            // then: refused with the key as written and the point, and nothing ran (every point failed, one by one)
            assertEquals(1, sweep.rc(), sweep.out());
            assertTrue(sweep.out().contains("params.max_num_s"), sweep.out());
            assertTrue(sweep.out().contains(": point {plugins.batcher.params.max_num_s") || sweep.out().contains(": point {swaps"),
                    sweep.out());
            assertTrue(!Files.exists(out.resolve("points")), sweep.out());
        }
        // and a sample no smaller than the grid says that it runs the whole grid
        var file = dir.resolve("sampled.yaml");
        Files.writeString(file, "base: {trace: {synthetic: {count: 20}}}\naxes:\n  seed: [1, 2]\nsample: {count: 10}\n");
        var sampled = execute("sweep", file.toString(), "--out", dir.resolve("sampled").toString(), "--quiet", "--threads",
                "1", "--port", "5963", "--cluster", "bad-" + ProcessHandle.current().pid(), "--plugins-dir",
                plugins.toString(), "--work-dir", dir.resolve("work").toString());
        assertEquals(0, sampled.rc(), sampled.out());
        assertTrue(sampled.out().contains("sample count 10 is not below the 2 points the axes and constraints leave: "
                + "running them all"), sampled.out());
        // and a sample below the grid says nothing (it said so for every sample: the sample against itself)
        Files.writeString(file, "base: {trace: {synthetic: {count: 20}}}\naxes:\n  seed: [1, 2, 3]\nsample: {count: 1}\n");
        var below = execute("sweep", file.toString(), "--out", dir.resolve("sampled-below").toString(), "--quiet",
                "--threads", "1", "--port", "5963", "--cluster", "bad-" + ProcessHandle.current().pid(), "--plugins-dir",
                plugins.toString(), "--work-dir", dir.resolve("work").toString());
        assertEquals(0, below.rc(), below.out());
        assertTrue(!below.out().contains("sample count"), below.out());
    }

    @Test
    void aPlainRunStartsNoClusterMember() throws Exception {
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var run = execute("run", "--set", "trace.synthetic.count=30", "--out", dir.resolve("run").toString(), "--quiet",
                "--plugins-dir", plugins.toString());
        assertEquals(0, run.rc(), run.out());
        assertTrue(Hazelcast.getAllHazelcastInstances().isEmpty(), "a member is running after servelab run");
    }

    @Test
    void aHostThatIsNotOneAddressOfThisMachineIsRefusedForWhatItIs() {
        // every interface was bound (and announced as 0.0.0.0); another machine's address was "no free port"
        for (var host : new String[] {"0.0.0.0", "::", "192.0.2.1"}) {
            var r = execute("worker", "--host", host, "--port", "5972", "--cluster", "nobody-here",
                    "--plugins-dir", dir.toString());
            assertEquals(1, r.rc(), r.out());
            assertTrue(r.out().contains("--host " + host + (host.equals("192.0.2.1") ? " is not an address of this "
                    + "machine" : " is every interface")), r.out());
        }
    }

    @Test
    void aWorkerThatCannotReachItsJoinAddressSaysWhich() {
        var r = execute("worker", "--join", "127.0.0.1:1", "--port", "5971", "--cluster", "nobody-here",
                "--plugins-dir", dir.toString());
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("--join 127.0.0.1:1: no member of cluster 'nobody-here' answered"), r.out());
    }
}
