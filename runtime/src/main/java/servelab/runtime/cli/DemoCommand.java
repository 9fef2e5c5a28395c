package servelab.runtime.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;

/** {@code servelab demo}: a synthetic workload under three policies, side by side. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Replay a synthetic workload made by ServeLab (no download, no shared traces needed) under",
                "three policies in simulation and print a comparison table. Each run's Arrow results stay in",
                "the output folder for notebooks and reports."})
final class DemoCommand implements Callable<Integer> {
    /** The policies compared: a label and the overrides that select them. */
    record Policy(String label, List<String> overrides) {}

    static final List<Policy> POLICIES = List.of(
            new Policy("fcfs+continuous", List.of()),
            new Policy("sjf+continuous", List.of("plugins.scheduler.name=sjf")),
            new Policy("fcfs+no-chunking", List.of("plugins.batcher.name=continuous",
                    "plugins.batcher.params.chunked_prefill=false")));

    /**
     * The workload: Llama-3-8B on one H100 whose KV memory is limited to 2,000 blocks (32k tokens), fed bursty
     * arrivals (Gamma, CV 2) above what it can serve, so requests queue and the scheduler's order matters.
     */
    static final List<String> WORKLOAD = List.of("name=demo", "seed=42", "profile=llama-3-8b/h100-80gb",
            "kv.blocks=2000", "trace.synthetic.count=1500", "trace.synthetic.arrivals.process=gamma",
            "trace.synthetic.arrivals.rate=20", "trace.synthetic.arrivals.cv=2",
            "slo.ttft_ms=1000", "slo.tpot_ms=60");

    @Option(names = "--out", paramLabel = "DIR", description = "parent folder of the runs (default runs/demo-TIMESTAMP)")
    Path out;

    @Mixin PluginsDirOption pluginsDir;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var parent = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        var stdout = spec.commandLine().getOut();
        stdout.printf("ServeLab demo: %s%n%n", String.join(" ", WORKLOAD));
        stdout.printf("%-18s %8s %9s %10s %10s %10s %10s %9s%n", "policy", "req/s", "goodput", "TTFT mean",
                "TTFT p99", "TPOT mean", "E2EL p99", "wall s");
        var rows = new ArrayList<String>();
        for (var policy : POLICIES) {
            var overrides = new ArrayList<>(WORKLOAD);
            overrides.addAll(policy.overrides());
            var experiment = ExperimentFile.load(null, overrides);
            var r = ExperimentRunner.run(experiment, parent.resolve(policy.label()),
                    new ExperimentRunner.Options(pluginsDir.resolve(), null, null, null));
            var s = r.summary();
            String row = String.format("%-18s %8.2f %9.2f %10.1f %10.1f %10.1f %10.1f %9.2f", policy.label(),
                    s.requestThroughput(), s.goodput().orElse(Double.NaN), s.ttftMs().mean(), s.ttftMs().p99(),
                    s.tpotMs().mean(), s.e2elMs().p99(), r.wallNanos() / 1e9);
            rows.add(row);
            stdout.println(row);
            stdout.flush();
        }
        stdout.printf("%nLatencies in ms; goodput = requests/s meeting TTFT <= 1000 ms and TPOT <= 60 ms.%n"
                + "Results: %s (one folder per policy; open them with `servelab report` or a notebook).%n", parent);
        stdout.flush();
        return rows.size() == POLICIES.size() ? 0 : 1;
    }
}
