package servelab.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;

/**
 * The small runs the notebooks read, made fresh in seconds: the demo's scheduler sweep ({@code sweep/}: its
 * three policies on its bursty workload) and a run whose scheduler is switched from fcfs to sjf through the
 * control port part-way ({@code hot-swap/}, exactly {@code servelab ctl --run DIR switch scheduler sjf}, sent
 * when the run clock passes {@link #SWAP_AT_S}, so the swap lands at the same place every time), and a small sweep
 * ({@code param-sweep/}, {@code servelab sweep} over schedulers, loads and seeds) for the sweep notebook.
 */
final class NotebookRuns {
    /** Simulated second at which the hot-swap run switches its scheduler. */
    static final double SWAP_AT_S = 30;

    private NotebookRuns() {
    }

    /** Folder of the small sweep the sweep notebook reads. */
    static final String PARAM_SWEEP = "param-sweep";

    /**
     * The sweep notebook's input: schedulers x loads x seeds on a 300-request cut of the demo's workload, 12 points
     * that run in seconds. With SLOs, so the sweep has goodput.
     */
    static final String PARAM_SWEEP_FILE = """
            base: {name: notebook-sweep}
            set: [seed=42, profile=llama-3-8b/h100-80gb, kv.blocks=2000, trace.synthetic.count=300,
                  trace.synthetic.arrivals.process=gamma, trace.synthetic.arrivals.rate=20, trace.synthetic.arrivals.cv=2,
                  slo.ttft_ms=1000, slo.tpot_ms=60]
            axes:
              plugins.scheduler.name: [fcfs, sjf]
              trace.transforms.time_scale: [1.0, 0.7, 0.5]
              seed: [1, 2]
            """;

    /** Whether {@code dir} holds the runs (a complete set from an earlier call). */
    static boolean exist(Path dir) {
        return Files.exists(dir.resolve("hot-swap/requests.arrow"))
                && Files.exists(dir.resolve(PARAM_SWEEP).resolve("sweep.arrow"))
                && DemoCommand.POLICIES.stream().allMatch(p -> Files.exists(dir.resolve("sweep").resolve(p.label())
                .resolve("requests.arrow")));
    }

    /** Makes the runs in {@code dir}, replacing earlier ones; returns the run folders. */
    static List<Path> make(Path dir, Path pluginsDir) throws IOException {
        delete(dir.resolve("sweep"));
        delete(dir.resolve("hot-swap"));
        var made = new ArrayList<Path>();
        var options = new ExperimentRunner.Options(pluginsDir, null, null, null);
        for (var policy : DemoCommand.POLICIES) {
            var overrides = new ArrayList<>(DemoCommand.WORKLOAD);
            overrides.addAll(policy.overrides());
            var runDir = dir.resolve("sweep").resolve(policy.label());
            ExperimentRunner.run(ExperimentFile.load(null, overrides), runDir, options);
            made.add(runDir);
        }
        var hotSwap = dir.resolve("hot-swap");
        var overrides = new ArrayList<>(DemoCommand.WORKLOAD);
        overrides.add("name=hot-swap");
        var answer = new StringWriter();
        var swapped = new boolean[1];
        ExperimentRunner.run(ExperimentFile.load(null, overrides), hotSwap,
                new ExperimentRunner.Options(pluginsDir, null, null, (replica, endNanos) -> {
                    if (swapped[0] || endNanos < SWAP_AT_S * 1e9) return;
                    swapped[0] = true;
                    var ctl = Main.commandLine();
                    ctl.setOut(new PrintWriter(answer, true));
                    ctl.setErr(new PrintWriter(answer, true));
                    int rc = ctl.execute("ctl", "--run", hotSwap.toString(), "switch", "scheduler", "sjf");
                    if (rc != 0) throw new IllegalStateException("servelab ctl switch failed: " + answer);
                }));
        if (!swapped[0]) throw new IllegalStateException("the hot-swap run ended before " + SWAP_AT_S + " s");
        made.add(hotSwap);
        made.add(paramSweep(dir, pluginsDir));
        return made;
    }

    /**
     * The sweep notebook's sweep, made exactly as {@code servelab sweep} makes it. That command lives in the sweep
     * module (Hazelcast), which the runtime does not depend on, so it is reached through the command line.
     */
    private static Path paramSweep(Path dir, Path pluginsDir) throws IOException {
        var out = dir.resolve(PARAM_SWEEP);
        delete(out);
        Files.createDirectories(dir);
        var file = dir.resolve(PARAM_SWEEP + ".yaml");
        Files.writeString(file, PARAM_SWEEP_FILE);
        var cli = Main.commandLine();
        if (!cli.getSubcommands().containsKey("sweep")) {
            throw new IllegalStateException("`servelab sweep` is not available: the sweep module's jar "
                    + "(sweep/target/servelab-sweep.jar) is not on the class path; use ./servelab");
        }
        var answer = new StringWriter();
        cli.setOut(new PrintWriter(answer, true));
        cli.setErr(new PrintWriter(answer, true));
        int rc = cli.execute("sweep", file.toString(), "--out", out.toString(), "--quiet", "--plugins-dir",
                pluginsDir.toString(), "--cluster", "servelab-notebook-" + ProcessHandle.current().pid());
        if (rc != 0) throw new IllegalStateException("servelab sweep failed: " + answer);
        return out;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
