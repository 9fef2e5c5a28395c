package servelab.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.install.VectorModule;

/** {@code servelab demo}: a synthetic workload under three policies, side by side. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Replay a synthetic workload made by ServeLab (no download, no shared traces needed) under",
                "three policies in simulation and print a comparison table. Each run's Arrow results stay in",
                "the output folder for notebooks and reports. With --real, the same policies drive a tiny",
                "generated Llama model on the CPU instead of the cost model."})
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

    /**
     * The real demo's workload: a generated tiny Llama (2 layers, width 64, Q8_0, 512 positions) serving short
     * requests faster than it can, on the CPU; lengths keep every request inside the model's context.
     */
    static final List<String> REAL_WORKLOAD = List.of("name=demo-real", "seed=42", "executor=model",
            "model.threads=2", "trace.synthetic.count=200", "trace.synthetic.arrivals.process=gamma",
            "trace.synthetic.arrivals.rate=250", "trace.synthetic.arrivals.cv=2",
            "trace.synthetic.input.dist=lognormal", "trace.synthetic.input.mean=150", "trace.synthetic.input.sigma=0.6",
            "trace.synthetic.input.min=8", "trace.synthetic.input.max=380",
            "trace.synthetic.output.dist=lognormal", "trace.synthetic.output.mean=40",
            "trace.synthetic.output.sigma=0.6", "trace.synthetic.output.min=4", "trace.synthetic.output.max=120");

    /** Requests of each policy's untimed warm-up run on the real model. */
    static final int WARMUP_REQUESTS = 40;

    @Option(names = "--out", paramLabel = "DIR", description = "parent folder of the runs (default runs/demo-TIMESTAMP)")
    Path out;

    @Option(names = "--real", description = "run the policies on a real model instead of the cost model: a tiny "
            + "random-weight Llama that ServeLab generates (nothing is downloaded), run by the Java CPU kernels")
    boolean real;

    @Mixin PluginsDirOption pluginsDir;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (real) VectorModule.ensure(); // before anything is written
        var parent = out != null ? out : DefaultFolders.of("runs", real ? "demo-real-" : "demo-");
        var stdout = spec.commandLine().getOut();
        var workload = new ArrayList<>(real ? REAL_WORKLOAD : WORKLOAD);
        if (real) {
            var model = parent.resolve("tiny-llama-q8_0.gguf");
            Files.createDirectories(parent);
            RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 42);
            workload.add("model.path=" + model);
            stdout.printf("Generated %s (random weights, 2 layers of width 64, Q8_0) for the real executor.%n", model);
        }
        if (real) workload.addAll(warmUp(workload, parent, stdout));
        stdout.printf("ServeLab demo: %s%n%n", String.join(" ", workload));
        stdout.printf("%-18s %8s %9s %10s %10s %10s %10s %9s%n", "policy", "req/s", "goodput", "TTFT mean",
                "TTFT p99", "TPOT mean", "E2EL p99", "replay s");
        var rows = new ArrayList<String>();
        var overloaded = new ArrayList<String>();
        for (var policy : POLICIES) {
            var overrides = new ArrayList<>(workload);
            overrides.addAll(policy.overrides());
            var experiment = ExperimentFile.load(null, overrides);
            var r = ExperimentRunner.run(experiment, parent.resolve(policy.label()),
                    new ExperimentRunner.Options(pluginsDir.resolve(), null, null, null));
            var s = r.summary();
            String row = String.format("%-18s %8.2f %9.2f %10.1f %10.1f %10.1f %10.1f %9.2f", policy.label(),
                    s.requestThroughput(), s.goodput().orElse(Double.NaN), s.ttftMs().mean(), s.ttftMs().p99(),
                    s.tpotMs().mean(), s.e2elMs().p99(), replaySeconds(r.runDir()));
            rows.add(row);
            if (servelab.runtime.report.LoadTrend.compute(r.runDir()).filter(t -> t.overloaded()).isPresent()) {
                overloaded.add(policy.label());
            }
            stdout.println(row);
            stdout.flush();
        }
        if (real) {
            stdout.printf("%nLatencies in ms, measured on this machine's CPU; goodput = requests/s meeting %s and %s "
                    + "(twice the warm-up's p99, so the objectives fit this machine).%n",
                    workload.get(workload.size() - 2), workload.getLast());
            var first = outputs(parent.resolve(POLICIES.getFirst().label()));
            boolean same = POLICIES.stream().allMatch(p -> outputs(parent.resolve(p.label())).equals(first));
            stdout.printf("Generated tokens (greedy) identical under all three policies: %s (%d requests).%n",
                    same ? "yes" : "NO", first.size());
            if (!same) return 1;
        } else {
            stdout.printf("%nLatencies in ms; goodput = requests/s meeting TTFT <= 1000 ms and TPOT <= 60 ms.%n");
        }
        if (!overloaded.isEmpty()) {
            stdout.printf("Overloaded under %s: requests arrived faster than they left and the queue kept growing, so "
                    + "those figures grow with the trace's length; they show how a policy copes with a growing queue, "
                    + "not a steady state (summary.json's overloaded key; a lower rate measures one).%n",
                    String.join(", ", overloaded));
        }
        stdout.printf("Results: %s (one folder per policy; open them with `servelab report` or a notebook).%n", parent);
        stdout.flush();
        return rows.size() == POLICIES.size() ? 0 : 1;
    }

    /**
     * The run's replay time (run.json's {@code phases_s.replay}): the table showed the whole run's wall time, model
     * load and warm-up included, beside a line saying the warm-up was not counted.
     */
    static double replaySeconds(Path runDir) throws java.io.IOException {
        return servelab.runtime.record.Json.MAPPER.readTree(runDir.resolve("run.json").toFile())
                .path("result").path("phases_s").path("replay").asDouble(Double.NaN);
    }

    /**
     * Runs every policy once on a short trace before any is measured, so that none pays the JIT for the others (in
     * one JVM the first policy took twice as long), then runs the first policy once more, warm, and sets the SLOs
     * from that run: twice its TTFT and TPOT p99, objectives a CPU can meet (fixed GPU-like ones gave a goodput of 0
     * for every policy). Taken from the first, coldest, warm-up, they moved from one demo to the next with the JIT.
     *
     * @return the SLO overrides
     */
    private List<String> warmUp(List<String> workload, Path parent, java.io.PrintWriter stdout) throws Exception {
        var scratch = parent.resolve("warm-up");
        servelab.runtime.report.Summary warm = null;
        long start = System.nanoTime();
        var order = warmUpOrder();
        for (int i = 0; i < order.size(); i++) {
            var policy = order.get(i);
            var overrides = new ArrayList<>(workload);
            overrides.addAll(policy.overrides());
            overrides.add("trace.synthetic.count=" + WARMUP_REQUESTS);
            var r = ExperimentRunner.run(ExperimentFile.load(null, overrides), scratch.resolve(i + "-" + policy.label()),
                    new ExperimentRunner.Options(pluginsDir.resolve(), null, null, null));
            warm = r.summary();
        }
        deleteTree(scratch);
        // the measured runs queue five times as many requests (bigger batches, longer waits) as the warm-up, whose
        // medians were out of reach for every policy; twice its p99 is in reach for some requests, not for all
        var slo = List.of("slo.ttft_ms=" + Math.ceil(2 * warm.ttftMs().p99()),
                "slo.tpot_ms=" + Math.ceil(2 * warm.tpotMs().p99()));
        stdout.printf("Warmed up: each policy on %d requests (%.1f s, not counted); SLOs from %s's warm run: %s.%n",
                WARMUP_REQUESTS, (System.nanoTime() - start) / 1e9, POLICIES.get(0).label(), String.join(", ", slo));
        return slo;
    }

    /** The warm-up's runs: every policy once, then the first again, warm, whose latencies set the SLOs. */
    static List<Policy> warmUpOrder() {
        var order = new ArrayList<>(POLICIES);
        order.add(POLICIES.get(0));
        return order;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /** A run's generated tokens by request id, from its outputs.jsonl. */
    static java.util.Map<Long, String> outputs(Path runDir) {
        var byId = new java.util.TreeMap<Long, String>();
        try {
            for (var line : Files.readAllLines(runDir.resolve("outputs.jsonl"))) {
                var node = servelab.runtime.record.Json.MAPPER.readTree(line);
                byId.put(node.get("request_id").asLong(), node.get("tokens").toString());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return byId;
    }
}
