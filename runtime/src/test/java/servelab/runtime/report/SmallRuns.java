package servelab.runtime.report;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import servelab.runtime.cli.Main;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;

/**
 * Two small real runs for report tests: {@code fcfs} (300 requests, an SLO, default plugins) and {@code swap}, the
 * same workload whose scheduler is switched to sjf with {@code servelab ctl} after iteration 100.
 */
public final class SmallRuns {
    public static final List<String> WORKLOAD = List.of("seed=7", "profile=llama-3-8b/h100-80gb", "kv.blocks=600",
            "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=30", "slo.ttft_ms=2000", "slo.tpot_ms=40");
    /** The swap run's scheduler is switched after this iteration. */
    public static final long SWAP_AFTER = 100;

    private SmallRuns() {
    }

    /** Makes {@code work/fcfs} and {@code work/swap}; returns them in that order. */
    public static List<Path> make(Path work) throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var fcfs = work.resolve("fcfs");
        ExperimentRunner.run(ExperimentFile.load(null, WORKLOAD), fcfs,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        var swap = work.resolve("swap");
        var answers = new ArrayList<String>();
        ExperimentRunner.run(ExperimentFile.load(null, WORKLOAD), swap,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, (replica, end) -> {
                    if (replica.iterations() != SWAP_AFTER) return;
                    var out = new StringWriter();
                    var cli = Main.commandLine();
                    cli.setOut(new PrintWriter(out));
                    cli.setErr(new PrintWriter(out));
                    int rc = cli.execute("ctl", "--run", swap.toString(), "switch", "scheduler", "sjf");
                    answers.add(rc + " " + out);
                }));
        if (answers.size() != 1 || !answers.getFirst().startsWith("0 ")) {
            throw new IllegalStateException("the swap did not happen: " + answers);
        }
        return List.of(fcfs, swap);
    }
}
